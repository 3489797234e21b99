import { describe, expect, it } from "vitest";
import { visible } from "../../src/util/visible-text.js";

describe("visible", () => {
  it("escapes C0 (but tab and newline), DEL, C1 and the bidi overrides and isolates", () => {
    expect(visible("a\u0000b\u0007c\rd\u001Be\u007Ff\u0085g\u009Fh")).toBe(
      "a\\u0000b\\u0007c\\u000Dd\\u001Be\\u007Ff\\u0085g\\u009Fh",
    );
    expect(visible("\u202Aa\u202Bb\u202Cc\u202Dd\u202Ee\u2066f\u2067g\u2068h\u2069")).toBe(
      "\\u202Aa\\u202Bb\\u202Cc\\u202Dd\\u202Ee\\u2066f\\u2067g\\u2068h\\u2069",
    );
  });

  it("keeps tab, newline and every other script as it is, and changes nothing a second time", () => {
    const text = "tab\there\nnew line: مرحبا 日本語 \u200F 🙂 café";
    expect(visible(text)).toBe(text);
    expect(visible(visible("x\u202Ey"))).toBe("x\\u202Ey");
  });
});
