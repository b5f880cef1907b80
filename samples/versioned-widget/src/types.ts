// The Widget at its two versions: v2, stored and handled, and v1, which older clients still speak.

/** A person's name, split in two in v2. */
export interface PersonName {
  /** Given name, one word. @pattern ^[^ ]*$ */
  first: string;
  /** Family name; absent when the v1 name had one word. */
  last?: string;
}

/** v2: `size` renamed `replicas`, `owner` split into `first` and `last`, and `color`, which v1 has not. */
export interface WidgetSpecV2 {
  /** Who looks after the widget. */
  owner: PersonName;
  /** How many copies run. @integer @minimum 0 @maximum 100 */
  replicas: number;
  /** Only v2 has it: kept through a v1 round trip by kubeop's stash. @maxLength 20 */
  color?: string;
}

/** v1: the first shape of the Widget. */
export interface WidgetSpecV1 {
  /** Who looks after the widget, "first last". */
  owner: string;
  /** How many copies run. @integer @minimum 0 @maximum 100 */
  size: number;
}

/** Both versions report the same status. */
export interface WidgetStatus {
  state?: string;
  /** @integer */
  replicas?: number;
}
