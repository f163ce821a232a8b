// Type-aware lint: the Pulumi rules need types to tell an Output from a string inside a template literal.
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config({ ignores: ["node_modules/", "out/", "**/*.mjs"] }, ...tseslint.configs.recommended, {
  files: ["**/*.ts"],
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  plugins: { "@pulumi": pulumi },
  rules: {
    "@pulumi/no-output-in-template-literal": "error",
    "@pulumi/no-output-instance-in-template-literal": "error",
    // Un-awaited promises hide failures (an assertion in a floating promise cannot fail a test). node:test's
    // describe/test return promises the runner awaits itself, so only those are exempt.
    "@typescript-eslint/no-floating-promises": [
      "error",
      { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "test", "it", "suite"] }] },
    ],
    "@typescript-eslint/no-require-imports": "off",
    "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
  },
});
