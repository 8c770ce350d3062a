/**
 * Edits of TypeScript sources that the generator owns a part of (the system manifest, the contracts'
 * registries), made through the TypeScript AST: a declaration is found by its name and shape, and text is
 * inserted at the positions the parser reports. A source that no longer has the expected shape fails with
 * `SourceShapeError` naming the file and what was looked for, instead of an edit in the wrong place.
 *
 * Insertions, and the replacement of a single literal: the generator adds to a file and never rewrites
 * what is there. Formatting of the inserted text is left to prettier (the generator formats every file it
 * touched).
 */
import ts from 'typescript';

/** A source file does not have the shape an edit expects (someone restructured it). */
export class SourceShapeError extends Error {
  readonly code = 'SOURCE_SHAPE';
  readonly file: string;

  constructor(file: string, expected: string) {
    super(`${file}: expected ${expected}; edit the file by hand or update the generator (tools/generators)`);
    this.name = 'SourceShapeError';
    this.file = file;
  }
}

interface Insertion {
  at: number;
  /** Where the replaced text ends; `at` for a plain insertion. */
  end: number;
  text: string;
}

/** A parsed source and the insertions planned on it; `apply()` returns the edited text. */
export class SourceEditor {
  readonly file: string;
  readonly source: ts.SourceFile;
  readonly #insertions: Insertion[] = [];

  constructor(file: string, text: string) {
    this.file = file;
    this.source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  }

  get text(): string {
    return this.source.text;
  }

  fail(expected: string): never {
    throw new SourceShapeError(this.file, expected);
  }

  insert(at: number, text: string): void {
    this.#insertions.push({ at, end: at, text });
  }

  /** Replaces one node's text (a literal, say): the only edit besides insertions. */
  replace(node: ts.Node, text: string): void {
    this.#insertions.push({ at: node.getStart(this.source), end: node.getEnd(), text });
  }

  apply(): string {
    // Back to front, so every position still refers to the original text; equal positions keep their order.
    const ordered = this.#insertions.map((insertion, index) => ({ ...insertion, index }));
    ordered.sort((a, b) => b.at - a.at || b.index - a.index);
    let text = this.text;
    for (const { at, end, text: inserted } of ordered) text = text.slice(0, at) + inserted + text.slice(end);
    return text;
  }

  /** The initializer of the top-level `const <name> = …`, without `as const` / `satisfies` / parentheses. */
  constInitializer(name: string): ts.Expression {
    for (const statement of this.source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name && declaration.initializer) {
          return unwrap(declaration.initializer);
        }
      }
    }
    return this.fail(`a top-level declaration \`const ${name} = …\``);
  }

  objectLiteral(expression: ts.Expression, what: string): ts.ObjectLiteralExpression {
    const node = unwrap(expression);
    return ts.isObjectLiteralExpression(node) ? node : this.fail(`${what} to be an object literal`);
  }

  arrayLiteral(expression: ts.Expression, what: string): ts.ArrayLiteralExpression {
    const node = unwrap(expression);
    return ts.isArrayLiteralExpression(node) ? node : this.fail(`${what} to be an array literal`);
  }

  /** The value of the property `name` of an object literal. */
  property(object: ts.ObjectLiteralExpression, name: string, what: string): ts.Expression {
    for (const property of object.properties) {
      if (ts.isPropertyAssignment(property) && propertyName(property.name) === name)
        return property.initializer;
    }
    return this.fail(`${what} to have a property \`${name}\``);
  }

  hasProperty(object: ts.ObjectLiteralExpression, name: string): boolean {
    return object.properties.some((p) => p.name !== undefined && propertyName(p.name) === name);
  }

  /** Appends `text` (one property, without a comma) as the last property of the object literal. */
  appendProperty(object: ts.ObjectLiteralExpression, text: string): void {
    this.#appendListItem(object.properties, object.getEnd() - 1, text);
  }

  /** Appends `text` (one element, without a comma) as the last element of the array literal. */
  appendElement(array: ts.ArrayLiteralExpression, text: string): void {
    this.#appendListItem(array.elements, array.getEnd() - 1, text);
  }

  /** Adds a statement after the last import declaration (or at the top). */
  addImport(text: string): void {
    const imports = this.source.statements.filter(ts.isImportDeclaration);
    const last = imports.at(-1);
    if (last) this.insert(last.getEnd(), `\n${text}`);
    else this.insert(0, `${text}\n`);
  }

  /** The top-level `export … from '<specifier>'` declarations, in file order. */
  reexports(): ts.ExportDeclaration[] {
    return this.source.statements.filter(
      (s): s is ts.ExportDeclaration =>
        ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined && ts.isStringLiteral(s.moduleSpecifier),
    );
  }

  /** The first call expression `<callee>(…)` anywhere in the file (callee as written, e.g. `a.b`). */
  findCall(callee: string, where: (call: ts.CallExpression) => boolean = () => true): ts.CallExpression {
    let found: ts.CallExpression | undefined;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(node) && node.expression.getText(this.source) === callee && where(node)) {
        found = node;
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(this.source);
    return found ?? this.fail(`a call \`${callee}(…)\``);
  }

  #appendListItem(items: ts.NodeArray<ts.Node>, closing: number, text: string): void {
    const last = items.at(-1);
    if (!last) {
      this.insert(closing, text);
      return;
    }
    // One item per line stays so, at the last item's indentation; a one-line list stays one line.
    const start = last.getStart(this.source);
    const before = this.text.slice(this.text.lastIndexOf('\n', start - 1) + 1, start);
    const separator = before.trim() === '' ? `\n${before}` : ' ';
    // `a, b,` keeps its trailing comma after the new item; `a, b` gets one between.
    if (items.hasTrailingComma)
      this.insert(this.text.indexOf(',', last.getEnd()) + 1, `${separator}${text},`);
    else this.insert(last.getEnd(), `,${separator}${text}`);
  }
}

function unwrap(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node)) {
    node = node.expression;
  }
  return node;
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** A single-quoted TypeScript string literal of `value`. */
export function tsString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
