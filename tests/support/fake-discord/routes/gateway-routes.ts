import { json, type RouteTable } from '../route-table.js';
import type { FakeState } from '../state.js';

/** GET /gateway/bot is the one REST call discord.js makes to log in. */
export function registerGatewayRoutes(table: RouteTable, state: FakeState): void {
  table.on('GET', '/gateway', () => json(200, { url: state.gatewayUrl }));
  table.on('GET', '/gateway/bot', () =>
    json(200, {
      url: state.gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
    }),
  );
}
