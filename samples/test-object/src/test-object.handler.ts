// The handler of TestObject: what pykubeop's README example does, in kubeop.
import { Arg, CustomResource, OnAdded, OnDeleted, OnModified } from '@kubeop/decorators';
import { type CustomObject, ResourceHandler } from '@kubeop/core';

export interface TestSpec {
  /**
   * What the handlers log, on one line: a line break in it would forge a log line of its own.
   * @maxLength 256
   * @pattern ^[^\n\r]*$
   */
  message?: string;
}

export interface TestStatus {
  /** Which handler ran last. */
  state: 'created' | 'modified';
  /** @integer @format int64 */
  observedGeneration?: number;
  /** Whatever else the handlers report. */
  extraInfo?: { someMoreInfo: string };
}

export type TestObject = CustomObject<TestSpec, TestStatus>;

@CustomResource({
  group: 'example.kubeop.dev',
  version: 'v1alpha1',
  plural: 'testobjects',
  singular: 'testobject',
  kind: 'TestObject',
  shortNames: ['to'],
})
export class TestObjectHandler extends ResourceHandler<TestSpec, TestStatus> {
  @Arg({ description: 'My useful arg', default: 'hello' }) myArgument!: string;

  @OnAdded()
  async created(object: TestObject): Promise<void> {
    this.logger.info(`created: message="${object.spec?.message ?? ''}", my-argument="${this.myArgument}"`);
    this.status = {
      state: 'created',
      observedGeneration: object.metadata.generation,
      extraInfo: { someMoreInfo: 'here' },
    };
  }

  @OnModified()
  async modified(object: TestObject): Promise<void> {
    this.logger.info(`modified: message="${object.spec?.message ?? ''}"`);
    this.status = { state: 'modified', observedGeneration: object.metadata.generation };
  }

  @OnDeleted()
  async deleted(object: TestObject): Promise<void> {
    this.logger.info(`deleted: ${object.metadata.name} (status was ${JSON.stringify(object.status ?? {})})`);
  }
}
