/**
 * Preloaded (`--import`) into `npm run local` by bench:local: counts the SQS requests its in-process fauxqs serves
 * (bench/shared/sqs-requests.ts) and writes the running totals to BENCH_SQS_COUNTS_FILE every second, so the bench can
 * take the difference over its measured phase. Nothing else changes in the local run.
 */
import { writeFileSync } from "node:fs";
import { countSqsRequests } from "./shared/sqs-requests.js";

const file = process.env.BENCH_SQS_COUNTS_FILE;
if (file) {
  const counter = countSqsRequests();
  const flush = () => writeFileSync(file, JSON.stringify(counter.counts()));
  setInterval(flush, 1_000).unref();
  process.on("exit", flush);
}
