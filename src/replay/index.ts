/**
 * Capture replay (issue #9): the reference registrar as an oracle for captured registrars, a
 * passive lint, and a live replay of a capture's clients against a running registrar.
 */
export { replayCapture, replayLoaded, replayFile, type ReplayOptions, type ReplayFileOptions, type ReplayCounts, type ReplayReport, type RegistrarReplay } from './replay.js';
export { readEmbeddedConfig, registrarArgsComment, sectionComments, REGISTRAR_ARGS_COMMENT_PREFIX } from './embedded-config.js';
export { configFromRegistrarArgs, parseReferenceConfigJson, readReferenceConfig, resolveReferenceConfig, splitArgs, type ReferenceConfigSpec, type GivenConfig, type RegistrarArgsConfig } from './reference-config.js';
export { lintCapture, type LintReport } from './lint.js';
export { liveReplay, type LiveOptions, type LiveReport } from './live.js';
export { loadCapture } from './load.js';
export { REPLAY_ERR, ReplayError, type ReplayErrorCode } from './errors.js';
export type { Divergence, LintFinding, AtOdds } from './divergence.js';
export { DEFAULT_TOLERANCE, type Tolerance } from './compare.js';
export { isUnexplained, UNEXPLAINED } from './explain.js';
export { replayText, lintText, divergenceText, findingText } from './report-text.js';
export { htmlReport } from './report-html.js';
export { recordReferenceCapture, RECORDED_SERVER_ID, type RecordOptions } from './record-reference.js';
