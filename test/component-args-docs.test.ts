/**
 * Every component can be used on its own: each field of its Args (and of the types those fields name, declared next
 * to them) says what it is, and each optional field says what happens without it (`@default`).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as ts from "typescript";
import { projectDir } from "./harness";

/** Where components live: components/ (one capability each) and the layers in stacks/. */
const componentDirs = ["components", "stacks"];

interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** The problems of every `...Args` type in `source`, following type references to types declared in the same file. */
function argsProblems(fileName: string, text: string): FieldProblem[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const declarations = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) declarations.set(node.name.text, node);
  });
  const problems: FieldProblem[] = [];
  const checked = new Set<string>();

  const checkMembers = (owner: string, members: readonly ts.TypeElement[]) => {
    for (const member of members) {
      if (!ts.isPropertySignature(member) || !member.name) continue;
      const field = `${owner}.${member.name.getText(source)}`;
      const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      const text = docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "").join(" ");
      if (docs.length === 0 || text.trim() === "") problems.push({ field, problem: "has no JSDoc" });
      const hasDefault = docs.some((doc) => doc.tags?.some((tag) => tag.tagName.text === "default"));
      if (member.questionToken && !hasDefault) problems.push({ field, problem: "is optional but has no @default" });
      if (member.type) checkType(field, member.type);
    }
  };

  const checkType = (owner: string, type: ts.TypeNode) => {
    if (ts.isTypeLiteralNode(type)) checkMembers(owner, type.members);
    else if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) type.types.forEach((t) => checkType(owner, t));
    else if (ts.isParenthesizedTypeNode(type) || ts.isArrayTypeNode(type)) checkType(owner, "type" in type ? type.type : type.elementType);
    else if (ts.isTypeOperatorNode(type)) checkType(owner, type.type);
    else if (ts.isTypeReferenceNode(type)) {
      type.typeArguments?.forEach((argument) => checkType(owner, argument));
      const declared = declarations.get(type.typeName.getText(source));
      if (declared) checkDeclaration(declared);
    }
  };

  const checkDeclaration = (declaration: ts.InterfaceDeclaration | ts.TypeAliasDeclaration) => {
    const name = declaration.name.text;
    if (checked.has(name)) return;
    checked.add(name);
    if (ts.isInterfaceDeclaration(declaration)) checkMembers(name, declaration.members);
    else checkType(name, declaration.type);
  };

  for (const [name, declaration] of declarations) if (name.endsWith("Args")) checkDeclaration(declaration);
  return problems;
}

describe("component Args documentation", () => {
  test("every field of every component's Args has JSDoc, and every optional one a @default", () => {
    const problems = componentDirs.flatMap((dir) =>
      readdirSync(join(projectDir, dir))
        .filter((file) => file.endsWith(".ts"))
        .flatMap((file) =>
          argsProblems(file, readFileSync(join(projectDir, dir, file), "utf8")).map((p) => `${dir}/${file}: ${p.field} ${p.problem}`),
        ),
    );
    assert.deepEqual(problems, []);
  });

  test("the check sees nested fields, referenced types and optional fields without a default", () => {
    const source = `
      interface Credential {
        readonly user: string;
        /** Secret. */
        readonly password: string;
      }
      export interface WidgetArgs {
        /** Documented. */
        readonly size: number;
        readonly colour: string;
        /** Documented, but optional without a default. */
        readonly label?: string;
        /** A nested object. */
        readonly limits: { readonly cpu: string };
        /** A referenced type. */
        readonly credentials: readonly Credential[];
        /**
         * Documented, optional, with a default.
         * @default 3
         */
        readonly replicas?: number;
      }`;
    assert.deepEqual(
      argsProblems("widget.ts", source).map((p) => `${p.field} ${p.problem}`),
      [
        "WidgetArgs.colour has no JSDoc",
        "WidgetArgs.label is optional but has no @default",
        "WidgetArgs.limits.cpu has no JSDoc",
        "Credential.user has no JSDoc",
      ],
    );
  });
});
