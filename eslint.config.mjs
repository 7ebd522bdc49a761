// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Type-aware lint for every TypeScript file in the project (the tsconfig's include list), plus the plain .mjs tools.
 * Formatting is prettier's job, so no stylistic rules here.
 */
export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "cdktf.out/",
      ".local/",
      ".stryker-tmp/",
      "reports/",
      "coverage/",
      "bench/results/",
      "bench/.barrel/",
    ],
  },
  // A disable comment that no longer suppresses anything is an error: it would hide the next real finding.
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_`-prefixed names and rest siblings are the idiom for "drop this key": `const { "//": _meta, ...body } = r`.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests read synthesized Terraform JSON and HTTP bodies by path, as `any`: a wrong path fails the assertion at run
    // time, so the type-safety rules would only add casts. Production code gets the full type-checked set.
    files: ["test/**/*.ts", "apps/*/test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
      },
    },
  },
);
