// world.mjs - two tenants with the same shape, built through the CLI and the
// API, for the API and isolation tests:
//
//   HQ (company)
//   ├── Norte (region) ── Tienda Norte 1 (store)   agents: cajero.norte
//   └── Sur (region)   ── Tienda Sur 1 (store)     agents: cajero.sur
//                          moves under Norte on 2026-06-01
//
// People, one per role: owner1, admin1, analyst1, viewer1, manager1 (in
// Norte) and agent1 (in Tienda Norte 1). Customers: cN (served in Tienda
// Norte 1), cS (Tienda Sur 1 in March, while still under Sur), cS2 (Tienda
// Sur 1 in July, by then under Norte) and c0 (web only, no unit).
import { call, cxm } from './lib.mjs';

export const PASSWORD = 'correct-horse-battery';
export const ROLES = ['owner', 'admin', 'analyst', 'manager', 'agent', 'viewer'];

export async function buildTenant(db, base, name) {
  const t = ['--tenant', name];
  cxm(db, ['tenant', 'create', name, '--language', 'en']);
  cxm(db, ['org', 'add-unit', 'HQ', '--kind', 'company', '--from', '2020-01-01', ...t]);
  cxm(db, ['org', 'add-unit', 'Norte', '--kind', 'region', '--parent', 'HQ', '--from', '2020-01-01', ...t]);
  cxm(db, ['org', 'add-unit', 'Sur', '--kind', 'region', '--parent', 'HQ', '--from', '2020-01-01', ...t]);
  cxm(db, ['org', 'add-unit', 'Tienda Norte 1', '--kind', 'store', '--parent', 'Norte', '--from', '2020-01-01', ...t]);
  cxm(db, ['org', 'add-unit', 'Tienda Sur 1', '--kind', 'store', '--parent', 'Sur', '--from', '2020-01-01', ...t]);
  cxm(db, ['org', 'move', '--unit', 'Tienda Sur 1', '--to', 'Norte', '--from', '2026-06-01', ...t]);
  for (const role of ROLES) {
    cxm(db, ['user', 'add', `${role}1`, '--role', role, '--email', `${role}1@${name}.example`, '--password-stdin', ...t], PASSWORD + '\n');
  }
  cxm(db, ['user', 'add', 'cajero.norte', '--role', 'agent', ...t]);
  cxm(db, ['user', 'add', 'cajero.sur', '--role', 'agent', ...t]);
  cxm(db, ['org', 'move', '--user', 'manager1', '--to', 'Norte', '--from', '2020-01-01', ...t]);
  cxm(db, ['org', 'move', '--user', 'agent1', '--to', 'Tienda Norte 1', '--from', '2020-01-01', ...t]);
  cxm(db, ['org', 'move', '--user', 'cajero.norte', '--to', 'Tienda Norte 1', '--from', '2020-01-01', ...t]);
  cxm(db, ['org', 'move', '--user', 'cajero.sur', '--to', 'Tienda Sur 1', '--from', '2020-01-01', ...t]);
  const keys = {};
  for (const role of ['owner', 'admin', 'analyst', 'viewer']) {
    keys[role] = cxm(db, ['key', 'create', '--role', role, '--name', `e2e ${role}`, ...t]).trim();
  }
  const ev = (id, ext, agent, ts, channel = 'store') => ({
    id, external_id: ext, type: 'purchase', channel, ts, ...(agent ? { agent } : {}), amount: '10.50', currency: 'EUR',
  });
  const r = await call(base, 'POST', '/api/v1/events', {
    key: keys.owner,
    json: [
      ev(`${name}-n1`, 'cN', 'cajero.norte', '2026-03-01T10:00:00Z'),
      ev(`${name}-s1`, 'cS', 'cajero.sur', '2026-03-01T11:00:00Z'),
      ev(`${name}-s2`, 'cS2', 'cajero.sur', '2026-07-01T11:00:00Z'),
      ev(`${name}-w1`, 'c0', null, '2026-03-02T09:00:00Z', 'web'),
    ],
  });
  if (r.status !== 202 || r.json.accepted !== 4) throw new Error(`seeding ${name}: ${r.status} ${r.text}`);
  const customers = {};
  for (const ext of ['cN', 'cS', 'cS2', 'c0']) {
    const s = await call(base, 'GET', `/api/v1/customers?q=${ext}`, { key: keys.owner });
    const hit = s.json.items.find((c) => c.external_id === ext);
    if (!hit) throw new Error(`customer ${ext} not found in ${name}`);
    customers[ext] = hit.id;
  }
  return { name, keys, customers };
}

// Which of a tenant's seeded customers each role sees.
export function visibleTo(role) {
  if (role === 'manager') return ['cN', 'cS2'];
  if (role === 'agent') return ['cN'];
  return ['cN', 'cS', 'cS2', 'c0'];
}
