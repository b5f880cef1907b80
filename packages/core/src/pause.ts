// The names of kubeop's pause: the annotation that stops every handler for one object, and the condition it shows.

/**
 * `kubeop.dev/paused: "true"` on an object stops every handler for it (deletion included) until it is removed; any
 * other value does not pause. `kubectl annotate <kind> <name> kubeop.dev/paused=true`, and `kubeop.dev/paused-`.
 */
export const PAUSED_ANNOTATION = 'kubeop.dev/paused';

/** The only value of {@link PAUSED_ANNOTATION} that pauses. */
export const PAUSED_VALUE = 'true';

/**
 * The condition type kubeop writes in `status.conditions` of a paused object: status `"True"` with reason
 * {@link PAUSED_REASON} while paused, `"False"` with reason {@link NOT_PAUSED_REASON} once unpaused.
 */
export const PAUSED_CONDITION = 'Paused';
export const PAUSED_REASON = 'PausedByAnnotation';
export const NOT_PAUSED_REASON = 'NotPaused';
