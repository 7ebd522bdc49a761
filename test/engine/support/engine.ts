import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../../../kit/repo-root.js";

/**
 * Runs the real Terraform engine on synthesized stacks, offline: the AWS provider comes from a filesystem mirror on
 * local disk (the pinned 6.x provider cannot be downloaded here), and `terraform test` mocks every AWS call.
 */

const PROVIDER = "registry.terraform.io/hashicorp/aws";

export interface Engine {
  readonly terraform: string;
  /** A Terraform filesystem mirror directory holding an AWS provider build. */
  readonly mirror: string;
  /** The mirror's (newest) AWS provider version: the scratch copies are constrained to it. */
  readonly providerVersion: string;
}

/** Where a Terraform filesystem mirror usually lives; `TF_PROVIDER_MIRROR` names another. */
function mirrorCandidates(): string[] {
  const fromEnv = process.env.TF_PROVIDER_MIRROR;
  if (fromEnv) return [fromEnv];
  const optDirs = existsSync("/opt") ? readdirSync("/opt").map((name) => join("/opt", name)) : [];
  return [
    join(homedir(), ".terraform.d", "plugins"),
    join(homedir(), ".local", "share", "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    ...optDirs,
  ];
}

function platform(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string] ?? process.arch;
  return `${process.platform}_${arch}`;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The provider build of `version` for this platform in `mirror`, if there is one. */
function providerBinary(mirror: string, version: string): string | undefined {
  const build = join(mirror, PROVIDER, version, platform());
  if (!existsSync(build)) return undefined;
  const binary = readdirSync(build).find((file) => file.startsWith("terraform-provider-aws_"));
  return binary && join(build, binary);
}

function providerVersionsIn(mirror: string): string[] {
  const dir = join(mirror, PROVIDER);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((version) => providerBinary(mirror, version) !== undefined);
}

/** The engine, or the one-line reason the engine tests cannot run on this machine. */
export function findEngine(): Engine | { readonly skip: string } {
  const terraform = process.env.TERRAFORM_BINARY ?? "terraform";
  const version = spawnSync(terraform, ["version", "-json"], { encoding: "utf8" });
  if (version.error || version.status !== 0) return { skip: `no terraform binary (${terraform}) on PATH` };
  const [major, minor] = String(JSON.parse(version.stdout).terraform_version).split(".").map(Number);
  if (major! < 1 || (major === 1 && minor! < 7))
    return { skip: `terraform ${major}.${minor} predates mock providers (1.7+)` };
  for (const mirror of mirrorCandidates()) {
    const versions = providerVersionsIn(mirror).sort(compareVersions);
    if (versions.length > 0) return { terraform, mirror, providerVersion: versions.at(-1)! };
  }
  return { skip: `no AWS provider build for ${platform()} in a filesystem mirror (set TF_PROVIDER_MIRROR)` };
}

/** Where the schema of the engine's provider build is cached: one file per build. */
function schemaCacheFile(engine: Engine): string {
  const binary = providerBinary(engine.mirror, engine.providerVersion)!;
  const { size, mtimeMs } = statSync(binary);
  const key = createHash("sha256").update(`${binary}:${size}:${mtimeMs}`).digest("hex").slice(0, 16);
  return join(REPO_ROOT, "node_modules", ".cache", "engine-tests", `aws-${engine.providerVersion}-${key}.json`);
}

export interface TerraformResult {
  readonly code: number;
  readonly output: string;
}

/**
 * A scratch area for one test run: a CLI config that installs the AWS provider from the mirror only, and one
 * initialized directory whose providers every scenario directory links to (the build is ~700 MB; `init` in each
 * scenario would copy or re-link it, and the plugin cache is not safe for concurrent inits).
 */
export class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), "tf-engine-"));
  private readonly cliConfig = join(this.root, "cli.tfrc");
  private readonly template = join(this.root, "template");

  constructor(readonly engine: Engine) {
    writeFileSync(
      this.cliConfig,
      [
        "provider_installation {",
        `  filesystem_mirror {\n    path = ${JSON.stringify(engine.mirror)}\n    include = ["${PROVIDER}"]\n  }`,
        `  direct {\n    exclude = ["${PROVIDER}"]\n  }`,
        "}",
      ].join("\n"),
    );
  }

  /** `terraform init` once, in a directory with only the provider requirement. */
  async init(): Promise<void> {
    mkdirSync(this.template);
    const requirement = {
      terraform: { required_providers: { aws: { source: "hashicorp/aws", version: this.engine.providerVersion } } },
    };
    writeFileSync(join(this.template, "main.tf.json"), JSON.stringify(requirement));
    const init = await this.run(["init", "-input=false", "-backend=false"], this.template);
    if (init.code !== 0)
      throw new Error(`terraform init with the mirror ${this.engine.mirror} failed:\n${init.output}`);
  }

  /**
   * The provider's schema (`terraform providers schema -json`), for finding attributes the mirror's build lacks.
   * Kept in node_modules/.cache per provider build (path, size, modification time): reading it costs Terraform a
   * few seconds of CPU, and a build never changes its schema.
   */
  async providerSchema(): Promise<ProviderSchema> {
    const cached = schemaCacheFile(this.engine);
    if (existsSync(cached)) return JSON.parse(readFileSync(cached, "utf8")) as ProviderSchema;
    const result = await this.run(["providers", "schema", "-json"], this.template, { quiet: true });
    if (result.code !== 0) throw new Error(`terraform providers schema failed:\n${result.output}`);
    const schema = JSON.parse(result.output).provider_schemas[PROVIDER] as ProviderSchema;
    mkdirSync(dirname(cached), { recursive: true });
    // Written aside and renamed, so that an interrupted run leaves no half-written cache behind.
    writeFileSync(`${cached}.${process.pid}`, JSON.stringify(schema));
    renameSync(`${cached}.${process.pid}`, cached);
    return schema;
  }

  /**
   * A new directory holding `files` (paths relative to it), with the template's providers linked in and then
   * `terraform init` run, which only has the test files' modules left to record.
   */
  async scenario(name: string, files: Readonly<Record<string, string>>): Promise<string> {
    const dir = join(this.root, name.replace(/[^a-z0-9-]+/gi, "-"));
    mkdirSync(join(dir, ".terraform"), { recursive: true });
    symlinkSync(join(this.template, ".terraform", "providers"), join(dir, ".terraform", "providers"));
    writeFileSync(join(dir, ".terraform.lock.hcl"), readFileSync(join(this.template, ".terraform.lock.hcl")));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    const init = await this.run(["init", "-input=false", "-backend=false"], dir);
    if (init.code !== 0) throw new Error(`terraform init in ${dir} failed:\n${init.output}`);
    return dir;
  }

  run(args: readonly string[], cwd: string, options: { quiet?: boolean } = {}): Promise<TerraformResult> {
    return new Promise((resolve) => {
      execFile(
        this.engine.terraform,
        [...args, ...(args[0] === "providers" ? [] : ["-no-color"])],
        {
          cwd,
          maxBuffer: 512 * 1024 * 1024,
          env: { ...process.env, TF_CLI_CONFIG_FILE: this.cliConfig, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, output: options.quiet && code === 0 ? stdout : `${stdout}${stderr}` });
        },
      );
    });
  }

  /** Deletes the scratch area, unless `TF_ENGINE_KEEP=1` asks to keep it for a look at a failure. */
  dispose(): void {
    if (process.env.TF_ENGINE_KEEP === "1") return void console.warn(`kept the engine scratch area: ${this.root}`);
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface SchemaBlock {
  attributes?: Record<string, { computed?: boolean; optional?: boolean; required?: boolean }>;
  block_types?: Record<string, { block: SchemaBlock }>;
}

export interface ProviderSchema {
  resource_schemas: Record<string, { block: SchemaBlock }>;
  data_source_schemas: Record<string, { block: SchemaBlock }>;
}
