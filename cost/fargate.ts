import type { ServiceInfra } from "./infra.js";
import { taskCostPerSecond, type PriceTable } from "./prices.js";

/**
 * What `tasks` running tasks of a service cost per second. With Fargate Spot, the first `onDemandBase` tasks run on
 * demand and the rest are split by the strategy's weights (one on-demand task to `spotWeight` Spot ones), each Spot
 * task at the Spot price ratio.
 */
export function tasksCostPerSecond(prices: PriceTable, svc: ServiceInfra, tasks: number): number {
  const task = taskCostPerSecond(prices, svc);
  if (!svc.spot) return tasks * task;
  const base = Math.min(tasks, svc.spot.onDemandBase);
  const spot = ((tasks - base) * svc.spot.spotWeight) / (svc.spot.spotWeight + 1);
  return (tasks - spot) * task + spot * task * prices.prices.fargateSpotPriceRatio.usd;
}
