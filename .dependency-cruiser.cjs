/**
 * Which folder may import which (run by `npm run lint`, so by `npm test`). The layering, lowest first:
 *   config -> foundation -> ecr -> stacks -> (policy, local, cost) -> scripts, bench -> test
 * Inside stacks/: shared -> (network, monitoring) -> (apis, services, data) -> the wiring at the top.
 * apps/ is a world of its own: the services ship as bundles built from apps/ alone.
 */
const TEST_CODE = "^(test/|apps/[^/]+/test/)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A module cycle makes load order matter and the layers impossible to read one at a time.",
      from: {},
      to: { circular: true },
    },
    {
      name: "services-self-contained",
      severity: "error",
      comment: "A service's code ships in its image: it may import only apps/ and its npm dependencies.",
      from: { path: "^apps/[^/]+/src/" },
      to: { pathNot: ["^apps/", "^node_modules/"], dependencyTypesNot: ["core"] },
    },
    {
      name: "services-apart",
      severity: "error",
      comment: "One service never imports the other's code; what they share lives in apps/shared.",
      from: { path: "^apps/(api|processor)/src/" },
      to: { path: "^apps/(api|processor)/", pathNot: ["^apps/$1/"] },
    },
    {
      name: "production-code-no-dev-deps",
      severity: "error",
      comment: "The stacks and the services run with production dependencies only.",
      from: { path: "^(main\\.ts|config/|foundation/|ecr/|stacks/|apps/[^/]+/src/)" },
      to: { dependencyTypes: ["npm-dev"] },
    },
    {
      name: "stacks-stay-below-their-users",
      severity: "error",
      comment: "The stacks are what policy, local, cost and the tests read; they never read those back.",
      from: { path: "^(main\\.ts|config/|foundation/|ecr/|stacks/)" },
      to: { path: "^(policy|local|cost|bench|scripts|tools)/" },
    },
    {
      name: "stacks-parts-below-the-wiring",
      severity: "error",
      comment:
        "stacks/ is the wiring (the stack classes, main-*.ts) over one folder per part of the architecture; a part " +
        "never reads the wiring back.",
      from: { path: "^stacks/[^/]+/" },
      to: { path: "^stacks/[^/]+$" },
    },
    {
      name: "stacks-shared-at-the-bottom",
      severity: "error",
      comment: "stacks/shared/ holds what every part uses (defaults, IAM and log-group helpers); it imports no part.",
      from: { path: "^stacks/shared/" },
      to: { path: "^stacks/", pathNot: "^stacks/shared/" },
    },
    {
      name: "stacks-parts-one-way",
      severity: "error",
      comment:
        "The parts import each other one way only: apis and services read network (and data reads monitoring's " +
        "runbook keys); network and monitoring read no other part.",
      from: { path: "^stacks/(network|monitoring)/" },
      to: { path: "^stacks/(apis|data|services|network|monitoring)/", pathNot: "^stacks/$1/" },
    },
    {
      name: "stacks-parts-apart",
      severity: "error",
      comment: "The APIs, the services and the data are wired together at the top, never by importing one another.",
      from: { path: "^stacks/(apis|data|services)/" },
      to: { path: "^stacks/(apis|data|services)/", pathNot: "^stacks/$1/" },
    },
    {
      name: "ecr-below-stacks",
      severity: "error",
      comment: "stacks/ composes ecr/ (one-way); what both need (BaseStack) lives below them, in foundation/.",
      from: { path: "^(ecr|foundation|config)/" },
      to: { path: "^stacks/" },
    },
    {
      name: "foundation-below-ecr",
      severity: "error",
      comment: "foundation/ is what ecr/ and stacks/ share; it imports neither.",
      from: { path: "^(foundation|config)/" },
      to: { path: "^ecr/" },
    },
    {
      name: "config-at-the-bottom",
      severity: "error",
      comment: "The config schema is read by everything and imports none of it.",
      from: { path: "^config/" },
      to: { path: "^(foundation|ecr|stacks|policy|local|cost|bench|scripts)/" },
    },
    {
      name: "no-test-code-outside-tests",
      severity: "error",
      comment: "Benches, scripts and the product never import test code (the test kit lives outside test folders).",
      from: { pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(cdktf\\.out|node_modules|\\.stryker-tmp|reports|coverage|bench/results)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
