// Widgets stored at v2 and served at v1 too: the handler sees v2 only; two methods convert to and from v1.
import { ConvertFrom, ConvertTo, CustomResource, OnReconcile } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';
import type { PersonName, WidgetSpecV1, WidgetSpecV2, WidgetStatus } from './types.js';

export type WidgetV2 = CustomObject<WidgetSpecV2, WidgetStatus>;
export type WidgetV1 = CustomObject<WidgetSpecV1, WidgetStatus>;

/** A widget: how many copies run and who looks after them. */
@CustomResource({
  group: 'samples.kubeop.dev',
  version: 'v2',
  plural: 'widgets',
  kind: 'Widget',
  // Columns are shared by every version: these paths are the same in v1 and v2.
  columns: [
    { name: 'State', type: 'string', jsonPath: '.status.state' },
    { name: 'Running', type: 'integer', jsonPath: '.status.replicas' },
  ],
})
export class WidgetHandler extends ResourceHandler<WidgetSpecV2, WidgetStatus> {
  @OnReconcile() reconcile(widget: WidgetV2): void {
    this.status = { state: 'ready', replicas: widget.spec?.replicas ?? 0 };
  }

  @ConvertFrom('v1', { deprecated: 'samples.kubeop.dev/v1 Widget is deprecated; use samples.kubeop.dev/v2' })
  fromV1(old: WidgetV1): WidgetV2 {
    if (!old.spec) return { ...old, spec: undefined };
    const { owner, size, ...rest } = old.spec;
    return { ...old, spec: { ...rest, owner: splitName(owner), replicas: size } };
  }

  @ConvertTo('v1') toV1(widget: WidgetV2): WidgetV1 {
    if (!widget.spec) return { ...widget, spec: undefined };
    const { owner, replicas, color: _onlyInV2, ...rest } = widget.spec;
    return { ...widget, spec: { ...rest, owner: joinName(owner), size: replicas } };
  }
}

/** "Ada Lovelace" → first "Ada", last "Lovelace"; "Ada" → no last name; a name is cut at its first space. */
function splitName(full: string): PersonName {
  const space = full.indexOf(' ');
  return space < 0 ? { first: full } : { first: full.slice(0, space), last: full.slice(space + 1) };
}

function joinName({ first, last }: PersonName): string {
  return last === undefined ? first : `${first} ${last}`;
}
