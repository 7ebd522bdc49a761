/** Reading synthesized Terraform JSON (`cdk.tf.json`): its shape, its resources by type, its policy documents. */
export * from "./document.js";
export * from "./resources.js";
export * from "./policy-document.js";
