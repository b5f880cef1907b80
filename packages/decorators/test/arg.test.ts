import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Arg, ARGS_KEY } from '@kubeop/decorators';

describe('@Arg', () => {
  it('records the property with its design type', () => {
    class Handler {
      @Arg({ description: 'My useful arg' }) myArgument!: string;
      @Arg() replicas!: number;
      @Arg() dryRun!: boolean;
      @Arg() tags!: string[];
    }

    const records = Reflect.getOwnMetadata(ARGS_KEY, Handler.prototype) as Array<{
      property: string;
      designType: unknown;
    }>;
    expect(records.map((r) => [r.property, r.designType])).toEqual([
      ['myArgument', String],
      ['replicas', Number],
      ['dryRun', Boolean],
      ['tags', Array],
    ]);
    expect(records[0]).toMatchObject({ description: 'My useful arg', required: false, alias: [], env: undefined });
  });

  it('normalises the options', () => {
    class Handler {
      @Arg({
        name: 'mode',
        type: 'string',
        default: 'fast',
        required: true,
        choices: ['fast', 'slow'],
        alias: 'm',
        env: 'MODE',
      })
      speed!: string;
    }

    expect(Reflect.getOwnMetadata(ARGS_KEY, Handler.prototype)).toEqual([
      {
        property: 'speed',
        designType: String,
        name: 'mode',
        type: 'string',
        description: undefined,
        default: 'fast',
        required: true,
        choices: ['fast', 'slow'],
        alias: ['m'],
        env: 'MODE',
      },
    ]);
  });
});
