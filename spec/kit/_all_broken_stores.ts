// Every deliberately broken store, by defect: the MemoryStore wrappers, the example-store
// variants and the example-store variants for the kit's general checks. Each has exactly one defect; the kit must reject each (spec/kit/kit_power.test.ts).
import type { Clock } from "../../src/core/clock.ts";
import type { RandomSource } from "../../src/core/random.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { brokenGeneralStores } from "./_broken_general_stores.ts";
import { brokenMapStores } from "./_broken_map_stores.ts";
import { brokenStores } from "./_broken_stores.ts";

export type BrokenStore = SessionStore & { dump(): string };

export const allBrokenStores: Record<
  string,
  (ctx: { clock: Clock; random: RandomSource }) => BrokenStore
> = { ...brokenStores, ...brokenMapStores, ...brokenGeneralStores };
