// A label selector string (`app=web,tier!=db,env in (a,b),!legacy`) as the API's LabelSelector object, for a
// webhook's objectSelector.

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** Throws an Error naming the part it cannot read. */
export function parseLabelSelector(selector: string): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  // Commas separate requirements, except inside the parentheses of a set.
  for (const raw of selector.split(/,(?![^(]*\))/)) {
    const part = raw.trim();
    if (!part) continue;
    let match: RegExpExecArray | null;
    if ((match = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const values = match[3]!
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      matchExpressions.push({ key: match[1]!, operator: match[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((match = /^([^\s!=()]+)\s*!=\s*([^\s!=()]*)$/.exec(part))) {
      matchExpressions.push({ key: match[1]!, operator: 'NotIn', values: [match[2]!] });
    } else if ((match = /^([^\s!=()]+)\s*==?\s*([^\s!=()]*)$/.exec(part))) {
      matchLabels[match[1]!] = match[2]!;
    } else if ((match = /^!\s*([^\s!=()]+)$/.exec(part))) {
      matchExpressions.push({ key: match[1]!, operator: 'DoesNotExist' });
    } else if ((match = /^([^\s!=()]+)$/.exec(part))) {
      matchExpressions.push({ key: match[1]!, operator: 'Exists' });
    } else throw new Error(`cannot read ${JSON.stringify(part)} of the label selector ${JSON.stringify(selector)}`);
  }
  return {
    ...(Object.keys(matchLabels).length ? { matchLabels } : {}),
    ...(matchExpressions.length ? { matchExpressions } : {}),
  };
}
