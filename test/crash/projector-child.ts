// Child process for the projector kill -9 test: projects the prepared versions of every document in
// rounds (version v of each document, then v+1 …), printing "round <v>" after each. The parent
// SIGKILLs it at random moments and checks the tables after every kill.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import { Projector } from '../../cloud/projection/projector.ts';
import { ALL_PROJECTORS } from '../../cloud/projection/projectors.ts';
import { Registry } from '../../cloud/registry/registry.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';

const [url, dir, start, versions] = process.argv.slice(2) as [string, string, string, string];
const ids = JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8')) as string[];
const sql = new PgSqlClient(url);
const reg = new Registry(sql);
let version = Number(start);
const projector = new Projector({
  sql,
  source: async (id) => A.load(readFileSync(join(dir, `${ids.indexOf(id)}-${version}.am`))),
  entry: (id) => reg.document(id),
  projectors: ALL_PROJECTORS,
});
process.stdout.write('ready\n');
for (; version < Number(versions); version++) {
  for (const id of ids) {
    await projector.projectDoc(id);
    process.stdout.write('p\n');
  }
  process.stdout.write(`round ${version}\n`);
}
process.stdout.write('done\n');
await sql.close();
