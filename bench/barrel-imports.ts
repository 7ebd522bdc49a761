/** The package root bench:synth deliberately imports in its slow variant (never used by the app itself). */
export const BARREL = ["@cdktf", "provider-aws"].join("/");

/** Rewrites every deep provider import (`@cdktf/provider-aws/lib/<module>`) of a source file into a barrel import. */
export function toBarrelImports(source: string): string {
  return source.replace(
    /^import \{([^}]+)\} from "@cdktf\/provider-aws\/lib\/([a-z0-9-]+)";$/gm,
    (_all, names: string, module: string) => {
      const namespace = module.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
      const specifiers = names
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean);
      // `type X` cannot be destructured from a value: alias it from the namespace instead (esbuild drops it).
      const values = specifiers.filter((name) => !name.startsWith("type "));
      const types = specifiers.filter((name) => name.startsWith("type ")).map((name) => name.slice(5));
      return [
        `import { ${namespace} as barrel_${namespace} } from "${BARREL}";`,
        ...(values.length ? [`const { ${values.join(", ")} } = barrel_${namespace};`] : []),
        ...types.map((type) => `type ${type} = barrel_${namespace}.${type};`),
      ].join("\n");
    },
  );
}
