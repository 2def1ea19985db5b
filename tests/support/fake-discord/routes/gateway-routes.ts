import { json, type RouteTable } from '../route-table.js';
import type { FakeState } from '../state.js';

/** GET /gateway/bot is the one REST call discord.js makes to log in; its `shards` is the recommended shard count. */
export function registerGatewayRoutes(table: RouteTable, state: FakeState): void {
  table.on('GET', '/gateway', () => json(200, { url: state.gatewayUrl }));
  table.on('GET', '/gateway/bot', () => json(200, state.gatewayBot()));
}
