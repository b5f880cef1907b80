// The operator's entry point: one line.
import { bootstrap } from '@kubeop/core';
import { TestObjectHandler } from './test-object.handler.js';

await bootstrap({ handlers: [TestObjectHandler], name: 'test-object-operator', version: '0.1.0' });
