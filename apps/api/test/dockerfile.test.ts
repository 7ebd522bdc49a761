import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { imageNodeOptions } from "../../../kit/image-node.js";
import { itPassesDockerfilelint, readDockerfile, youngGenerationMb } from "../../../test/support/dockerfile.js";

const DOCKERFILE = resolve(import.meta.dirname, "../Dockerfile");
const { content, instructions, runtimeStage } = readDockerfile(DOCKERFILE);

describe("apps/api/Dockerfile", () => {
  itPassesDockerfilelint(DOCKERFILE, content);

  it("Dockerfile: is multi-stage, on Node 24 LTS (bookworm-slim) in both stages, the build stage on the builder's platform", () => {
    const froms = instructions.filter((line) => line.startsWith("FROM "));
    expect(froms).toEqual([
      "FROM --platform=$BUILDPLATFORM node:24-bookworm-slim AS build",
      "FROM node:24-bookworm-slim",
    ]);
  });

  it("Dockerfile: runtime stage runs as the non-root node user in production mode, exec-form CMD of the bundle", () => {
    expect(runtimeStage).toContain("USER node");
    expect(runtimeStage.find((line) => line.startsWith("ENV "))).toMatch(/ENV NODE_ENV=production\b/);
    expect(runtimeStage.at(-1)).toBe('CMD ["node", "dist/main.js"]');
  });

  it("Dockerfile: the heap is bounded and its young generation pinned (24 MiB), whatever memory the host has", async () => {
    const nodeOptions = await imageNodeOptions("api");
    expect(nodeOptions).toBe("--max-old-space-size=128 --max-semi-space-size=8");
    expect(youngGenerationMb(nodeOptions)).toBe(24);
  });

  it("Dockerfile: runtime stage copies only the bundle (no node_modules, no npm install, nothing to write at run time)", () => {
    const copies = runtimeStage.filter((line) => line.startsWith("COPY") || line.startsWith("ADD"));
    expect(copies).toEqual(["COPY --from=build /out/dist ./dist"]);
    expect(runtimeStage.some((line) => line.startsWith("RUN"))).toBe(false);
    expect(runtimeStage.some((line) => /VOLUME/.test(line))).toBe(false);
  });

  it("Dockerfile: build stage installs exactly the lockfile (npm ci) and bundles with the tested script", () => {
    expect(instructions).toContain("RUN npm ci --ignore-scripts --no-audit --no-fund");
    expect(instructions).toContain("RUN node apps/shared/bundle.mjs api /out/dist/main.js");
  });
});
