// The webhook-guard operator's entry point.
import { bootstrap } from '@kubeop/core';
import { BackupGuard } from './backup.handler.js';

await bootstrap({ handlers: [BackupGuard], name: 'webhook-guard-operator', version: '0.1.0' });
