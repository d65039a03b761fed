/**
 * The registrar's handlespace: pools and PEs on red-black trees, every RFC 5356 / rsplib
 * selection policy, the incremental ENRP PE checksum and the pool consistency rules.
 */
export {
  Handlespace,
  MAX_HANDLE_RESOLUTION_ITEMS,
  type HandleTableCursor,
  type HandleTablePage,
  type HandlespaceOptions,
  type RegistrablePoolElement,
  type RegistrationOutcome,
  type RegistrationSuccess,
} from './handlespace.js';
export { PoolElementEntry } from './element.js';
export { TIMER_KINDS, type TimerKind } from './timers.js';
export { Pool, comparePoolHandles, usesControlChannel, type TransportKind } from './pool.js';
export { REFUSALS, checkPoolConsistency, type PoolViolation, type RegistrationRefusal } from './consistency.js';
export {
  OwnerChecksums,
  checksumAdd,
  checksumSub,
  computeChecksum,
  finishChecksum,
  peChecksumWords,
  poolHandleWordSum,
  type ChecksumSubject,
} from './checksum.js';
export { POLICY_BEHAVIOURS, policyBehaviour, policyBehaviourByCode, type PolicyBehaviour, type SelectionMethod } from './policies/index.js';
export { RbNode, RedBlackTree, WeightedRbNode, type Comparator, type KeyComparator } from './rbtree.js';
export { Random } from '../util/random.js';
