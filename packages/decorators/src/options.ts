// The options an operator author passes to the decorators; every field documents its default.

/** Names one resource type: what `@Owns` takes. */
export interface ResourceTypeOptions {
  /** API group: `''` for the core group (`/api/v1`), `apps`, `example.kubeop.dev`. Required. */
  group: string;
  /** API version served and watched, e.g. `v1`, `v1alpha1`. Required. */
  version: string;
  /** Lower-case plural name used in URLs, e.g. `configmaps`. Required. */
  plural: string;
  /** CamelCase kind, e.g. `ConfigMap`. Required. */
  kind: string;
}

/** Describes any resource a handler class serves (`@Resource`), built-in or installed by others. */
export interface ResourceOptions extends ResourceTypeOptions {
  /** `Namespaced` or `Cluster`. Defaults to `Namespaced`. */
  scope?: 'Namespaced' | 'Cluster';
  /** Handle only objects matching this label selector (applied by the API server to list and watch). Defaults to all. */
  labelSelector?: string;
  /** Handle only objects matching this field selector (applied by the API server). Defaults to all. */
  fieldSelector?: string;
  /**
   * Keep `metadata.managedFields` (server-side apply's record of who set which field) in the objects kubeop caches
   * and hands to the handlers. Defaults to `false`: they are dropped on receipt, since they are often the largest part
   * of a small object and few handlers read them.
   */
  keepManagedFields?: boolean;
  /**
   * Finalizer put on objects when the class has an `@OnDeleted` handler.
   * Defaults to `<group>/finalizer` (`kubeop.dev/finalizer` for the core group).
   */
  finalizer?: string;
  /**
   * Limits how often the handlers of one object run: every handler of the class counts, for each object on its own.
   * A run beyond the limit is delayed until the window allows it, never dropped; the changes that arrive meanwhile
   * join it, so it runs once on the latest state. Defaults to none (runs are limited only by `--max-concurrent`).
   */
  rateLimit?: RateLimitOptions;
}

/** At most `runs` handler runs of one object start within any `perSeconds` seconds (a sliding window). */
export interface RateLimitOptions {
  /** Runs allowed in the window; a whole number >= 1. Required. */
  runs: number;
  /** The window in seconds; > 0. Required. */
  perSeconds: number;
}

/** Describes the custom resource a handler class serves (`@CustomResource`): a `@Resource` whose CRD kubeop can create. */
export interface CustomResourceOptions extends ResourceOptions {
  /** API group, e.g. `example.kubeop.dev`. Required. */
  group: string;
  /** Lower-case singular name. Defaults to `kind` in lower case. */
  singular?: string;
  /** Short names for kubectl. Defaults to none. */
  shortNames?: string[];
  /**
   * OpenAPI v3 schema of the whole object, used when `--create-crd` creates the CRD.
   * Defaults to a permissive schema (`spec` and `status` preserve unknown fields).
   */
  schema?: Record<string, unknown>;
  /** kubectl categories. Defaults to none. */
  categories?: string[];
  /**
   * Columns `kubectl get` shows (the CRD's `additionalPrinterColumns`). Defaults to `State` (`.status.state`) and
   * `Age` (`.metadata.creationTimestamp`); `[]` shows only the name.
   */
  columns?: PrinterColumn[];
}

/** One column of `kubectl get`: a JSONPath into the object, shown as `type`. */
export interface PrinterColumn {
  /** Column header, e.g. `Replicas`. Required. */
  name: string;
  /** Simple JSONPath into the object, e.g. `.spec.replicas`. Required. */
  jsonPath: string;
  /** How the value is shown. Required. */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** Column help (`kubectl explain`-like tools show it). Defaults to none. */
  description?: string;
  /** `0` shows the column always, higher only with `kubectl get -o wide`. Defaults to `0`. */
  priority?: number;
  /** `int32`, `int64`, `float`, `double`, `byte`, `date`, `date-time`, `password`. Defaults to none. */
  format?: string;
}

/** How `@Owns` watches the owned type (its second argument). */
export interface OwnsOptions {
  /**
   * Cache only the owned objects' metadata (list and watch `PartialObjectMetadata`): what mapping a change to its
   * owner needs, without the spec, data or status, so a cache of ConfigMaps or Secrets holds a fraction of their
   * size. The reasons in `this.reasons` are the same. Defaults to `false`: the objects are cached whole (and shared
   * with any other relation or handler that watches the same type whole).
   */
  metadataOnly?: boolean;
}

/** Options every handler decorator takes. */
export interface HandlerRunOptions {
  /**
   * Seconds a run may take; past it the run counts as failed (retried with backoff), its
   * `this.signal` is aborted and the object is free for its next event. `0` means none.
   * Defaults to the operator's `--handler-timeout` (itself 0 by default).
   */
  timeout?: number;
}

/** Options of `@OnAdded`. */
export interface OnAddedOptions extends HandlerRunOptions {
  /**
   * Skip objects whose `status.state` is already set, so a restart does not redo work.
   * Defaults to `true` (the rule kubeop inherits from pykubeop).
   */
  skipWhenStateSet?: boolean;
}

/** Options of `@OnModified`. */
export interface OnModifiedOptions extends HandlerRunOptions {
  /**
   * Call the handler on every change, including status and metadata-only changes (and so the
   * operator's own status writes). Defaults to `false`: only when `metadata.generation` changed,
   * which for a CRD with the status subresource means the spec changed.
   */
  everyChange?: boolean;
}

/** Options of `@OnReconcile`. */
export interface OnReconcileOptions extends HandlerRunOptions {
  /**
   * Also run on changes that leave `metadata.generation` alone (labels, annotations, status, including the
   * operator's own status writes). Defaults to `false`.
   */
  everyChange?: boolean;
}

/** Options of `@OnTimer`. */
export interface OnTimerOptions extends HandlerRunOptions {
  /** Seconds between two calls for one object. Required, > 0. */
  interval: number;
  /** Seconds from the first sight of an object to its first call. Defaults to `interval`. */
  initialDelay?: number;
}

/** Options of `@OnDeleted`. */
export interface OnDeletedOptions extends HandlerRunOptions {
  /**
   * Put a finalizer on every handled object so that deletion waits for this handler, even when the
   * operator was down when the object was deleted. Defaults to `true`. With `false`, deletion is
   * best-effort: an object deleted while the operator is not running is never seen.
   */
  finalizer?: boolean;
}

/** An operation the API server asks an admission webhook about. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** Options of `@OnValidate` and `@OnMutate`. */
export interface WebhookOptions {
  /** The operations the webhook is asked about. Defaults to `['CREATE', 'UPDATE']` (`@OnMutate` takes no `DELETE`). */
  operations?: AdmissionOperation[];
  /**
   * Seconds the API server waits for an answer (the configuration's `timeoutSeconds`, 1 to 30); the method itself
   * gets a little less, and past it the request is denied with a message naming the method. Defaults to `10`.
   */
  timeout?: number;
  /**
   * What the API server does when it cannot reach the operator at all: `Fail` rejects the request, `Ignore` lets it
   * through unchecked. A method that throws always denies. Defaults to `Fail`.
   */
  failurePolicy?: 'Fail' | 'Ignore';
}

/** The type of a command-line flag. */
export type ArgType = 'string' | 'number' | 'boolean' | 'array';

/** Options of `@Arg`: the property becomes a kebab-case command-line flag. */
export interface ArgOptions {
  /** Help text shown by `--help`. Defaults to none. */
  description?: string;
  /** Flag name without dashes. Defaults to the property name in kebab case (`myArgument` → `my-argument`). */
  name?: string;
  /** Flag type. Defaults to the property's design type: `String`, `Number`, `Boolean`, `Array` (of strings). */
  type?: ArgType;
  /** Value when the flag is not given. Defaults to none. */
  default?: string | number | boolean | string[];
  /** Refuse to start when the flag is missing (and has no default or environment value). Defaults to `false`. */
  required?: boolean;
  /** Allowed values. Defaults to any. */
  choices?: ReadonlyArray<string | number>;
  /** Other names for the flag. Defaults to none. */
  alias?: string | string[];
  /**
   * Environment variable that sets the flag. Defaults to the operator's prefix plus the flag in
   * SCREAMING_SNAKE_CASE (`KUBEOP_MY_ARGUMENT`); `false` turns it off for this flag.
   */
  env?: string | false;
}

/** Options of `@ConvertFrom` and `@ConvertTo`. */
export interface ConvertOptions {
  /**
   * Marks the version deprecated: the API server then answers every request at it with this warning (kubectl prints
   * it), e.g. `'example.kubeop.dev/v1 Widget is deprecated; use v2'`; `true` gives the API server's own warning. Give it
   * on one of the pair, or the same on both. Defaults to not deprecated.
   */
  deprecated?: string | boolean;
}
