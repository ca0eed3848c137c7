// The engine's STS, in the AWS Query protocol (iam/query.ts): GetCallerIdentity and AssumeRole.
import type { Engine } from '../engine.js';
import { mountQueryService, type QueryOperation } from '../iam/query.js';
import { assumeRole } from './assume-role.js';
import { getCallerIdentity } from './caller-identity.js';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export const STS_OPERATIONS: ReadonlyMap<string, QueryOperation> = new Map(Object.entries({ GetCallerIdentity: getCallerIdentity, AssumeRole: assumeRole }));

export function mountSts(engine: Engine): void {
  mountQueryService(engine, { name: 'sts', version: '2011-06-15', xmlns: STS_XMLNS, eventSource: 'sts.amazonaws.com', operations: STS_OPERATIONS });
}
