/**
 * The reference registrar (PR / ENRP server) of issue #5: sans-IO, driven by events.
 */
export { Registrar } from './registrar.js';
export { defaultConfig, rsplibConfig, RSPLIB_PRESET, type RegistrarConfig, type CauseProfile, type AddressScope } from './config.js';
export type { RegistrarEvent, RegistrarAction, LogAction, AssociationUp, AssociationDown, AsapReceived, EnrpReceived, AnnounceReceived, TimeAdvanced } from './events.js';
export { scopeOf, scopeAllowed, sameAddress, type Scope } from './addresses.js';
