// What an admission method (@OnValidate, @OnMutate) receives besides the object, and the error that refuses a request.
import { KubeopError } from './errors.js';
import type { AdmissionOperation } from '@kubeop/decorators';

/** Who asks: the API server's view of the user behind the request. */
export interface AdmissionUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** The admission request an `@OnValidate` or `@OnMutate` method is called for, after the object itself. */
export interface AdmissionRequest<T = Record<string, unknown>> {
  operation: AdmissionOperation;
  /** The object as stored before the request, on UPDATE and DELETE; undefined otherwise. */
  oldObject: T | undefined;
  /** True for a dry run (`kubectl --dry-run=server`): nothing will be stored, so the method must change nothing. */
  dryRun: boolean;
  userInfo: AdmissionUserInfo;
  /** The object's name (empty on a CREATE with `generateName`) and namespace (undefined when cluster-scoped). */
  name: string;
  namespace: string | undefined;
  /** The subresource asked about (`status`, `scale`), if any. */
  subResource: string | undefined;
  /** The API server's id of this request, for logs. */
  uid: string;
  /** Adds a warning the client gets back (kubectl prints it), whether the request is allowed or not. */
  warn(message: string): void;
}

export interface DeniedOptions {
  /** The field at fault, as a path such as `spec.size`; clients see it in the error's `details.causes`. */
  field?: string;
  /** HTTP status the client gets. Defaults to 403 (Forbidden). */
  status?: number;
}

/** Thrown by an admission method to refuse the request; the client sees `message` (and `field`). */
export class Denied extends KubeopError {
  override readonly name = 'Denied';
  readonly code = 'DENIED';
  readonly field: string | undefined;
  /** The HTTP status the client gets. */
  readonly status: number;

  constructor(message: string, options: DeniedOptions = {}) {
    super(message);
    this.field = options.field;
    this.status = options.status ?? 403;
  }
}
