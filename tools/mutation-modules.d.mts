export interface MutationModule {
  readonly mutate: readonly string[];
  readonly tests: readonly string[];
}
export declare const MUTATION_MODULES: Readonly<Record<string, MutationModule>>;
export declare function mutationModule(name?: string): MutationModule & { readonly name: string };
