// Generates src/api/schema.d.ts from the server's OpenAPI document.
//   node scripts/api-types.mjs <url-or-file>           write the types
//   node scripts/api-types.mjs <url-or-file> --check   exit 1 when the committed types differ
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const [source, flag] = process.argv.slice(2);
if (!source) {
  console.error("usage: node scripts/api-types.mjs <openapi.json url or file> [--check]");
  process.exit(2);
}
const target = fileURLToPath(new URL("../src/api/schema.d.ts", import.meta.url));

const document = JSON.parse(
  /^https?:/.test(source) ? await (await fetch(source)).text() : await readFile(source, "utf8"),
);

const number = () => ts.factory.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword);
const nullType = () => ts.factory.createLiteralTypeNode(ts.factory.createNull());

const types = astToString(
  await openapiTS(document, {
    // ASP.NET describes numbers as "integer or numeric string" because it accepts both on input;
    // it always writes numbers, and the UI always sends them, so the UI sees plain numbers.
    transform(schema) {
      const type = schema.type;
      if (!Array.isArray(type) || !type.includes("string")) return undefined;
      if (!type.includes("integer") && !type.includes("number")) return undefined;
      return type.includes("null") ? ts.factory.createUnionTypeNode([number(), nullType()]) : number();
    },
  }),
);
const contents = `// Generated from the server's OpenAPI document by scripts/api-types.mjs. Do not edit.\n\n${types}`;

if (flag === "--check") {
  const committed = await readFile(target, "utf8").catch(() => "");
  if (committed !== contents) {
    console.error("web/src/api/schema.d.ts is out of date with the server's OpenAPI document; run `make api-types`.");
    process.exit(1);
  }
  console.log("web/src/api/schema.d.ts matches the server's OpenAPI document.");
} else {
  await writeFile(target, contents);
  console.log(`wrote ${target}`);
}
