/**
 * Reading a YAML file a person edits (a Pulumi stack file) so that a mistake in it is one line per problem:
 * file, line, column and what is wrong. Never the source line: the yaml package quotes it under its messages,
 * and in some messages inside them, and a stack file's lines may hold secrets. So the text here is ours, chosen
 * by the error's code.
 */
import { LineCounter, parseDocument, visit, type Document, type ErrorCode, type YAMLError } from "yaml";

/** A file that is not the YAML it should be; `problems` are whole lines, `message` lists them. */
export class YamlFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.join("\n"));
    this.name = "YamlFileError";
  }
}

const explanations: Record<ErrorCode, string> = {
  ALIAS_PROPS: "an alias (*name) cannot carry an anchor or a tag",
  BAD_ALIAS: "an alias (*name) refers to no anchor defined before it",
  BAD_DIRECTIVE: "a % directive YAML does not know",
  BAD_DQ_ESCAPE: 'a \\ escape inside "double quotes" that YAML does not know',
  BAD_INDENT: "indentation does not line up with the block it belongs to",
  BAD_PROP_ORDER: "an anchor or a tag is in the wrong place",
  BAD_SCALAR_START: "a value starts with a character that must be quoted (such as @ or `)",
  BLOCK_AS_IMPLICIT_KEY: "a second ': ' on one line: quote a value that contains ': '",
  BLOCK_IN_FLOW: "a block (an indented map or list) inside [ ] or { }",
  DUPLICATE_KEY: "a key appears twice in the same map: keep one",
  IMPOSSIBLE: "the YAML parser reached a state it cannot handle",
  KEY_OVER_1024_CHARS: "a key longer than 1024 characters",
  MISSING_CHAR: "a quote or a bracket is not closed",
  MULTILINE_IMPLICIT_KEY: "a key spans several lines",
  MULTIPLE_ANCHORS: "a node has two anchors",
  MULTIPLE_DOCS: "more than one YAML document (---) in the file",
  MULTIPLE_TAGS: "a node has two tags",
  NON_STRING_KEY: "a key that is not a string",
  RESOURCE_EXHAUSTION: "too many aliases: the file expands beyond what is read",
  TAB_AS_INDENT: "a tab used for indentation: YAML indents with spaces",
  TAG_RESOLVE_FAILED: "a tag (!name) YAML does not know",
  UNEXPECTED_TOKEN: "something YAML did not expect here (a stray character, or a missing ': ' or '- ')",
  BAD_COLLECTION_TYPE: "a tag that does not fit the map or list it is on",
};

function describe(file: string, error: YAMLError, lines: LineCounter): string {
  const { line, col } = lines.linePos(error.pos[0]);
  return `${file}:${line}:${col}: not valid YAML: ${explanations[error.code] ?? "a syntax error"}`;
}

/**
 * `text` (the contents of `file`) as plain values. Throws a {@link YamlFileError} naming every syntax error, a
 * repeated key and an unresolvable alias, each with its line and column.
 */
export function parseYamlFile(file: string, text: string): unknown {
  return yamlDocument(file, text).toJS({ maxAliasCount: 100 });
}

/** The parsed document, for callers that edit it in place and keep its comments; throws like {@link parseYamlFile}. */
export function yamlDocument(file: string, text: string): Document.Parsed {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0)
    throw new YamlFileError(
      file,
      document.errors.map((error) => describe(file, error, lines)),
    );
  try {
    // Resolving aliases can still fail (an alias before its anchor, an alias bomb): find out here, not later.
    document.toJS({ maxAliasCount: 100 });
  } catch {
    throw new YamlFileError(file, aliasProblems(file, document, lines));
  }
  return document;
}

/** Where the aliases that refer to no anchor are; or, when every alias resolves, that they expand too far. */
function aliasProblems(file: string, document: Document.Parsed, lines: LineCounter): string[] {
  const problems: string[] = [];
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) !== undefined) return;
      const { line, col } = lines.linePos(alias.range?.[0] ?? 0);
      problems.push(`${file}:${line}:${col}: not valid YAML: ${explanations.BAD_ALIAS}`);
    },
  });
  return problems.length > 0 ? problems : [`${file}: not valid YAML: ${explanations.RESOURCE_EXHAUSTION}`];
}
