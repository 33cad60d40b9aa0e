import { describe, expect, test } from "bun:test";
import { destinationProblem, isNonPublicAddress, urlProblem } from "../../src/services/webhooks/destination.ts";

describe("webhook destinations", () => {
  test("non-public addresses", () => {
    const rows: [string, boolean][] = [
      ["127.0.0.1", true],
      ["10.1.2.3", true],
      ["172.16.0.1", true],
      ["172.32.0.1", false],
      ["192.168.1.1", true],
      ["169.254.169.254", true],
      ["100.64.0.1", true],
      ["0.0.0.0", true],
      ["224.0.0.1", true],
      ["8.8.8.8", false],
      ["::1", true],
      ["::", true],
      ["fe80::1", true],
      ["fd12:3456::1", true],
      ["::ffff:127.0.0.1", true],
      ["::ffff:10.0.0.1", true],
      ["2606:4700:4700::1111", false],
      ["not-an-ip", true],
    ];
    expect(rows.map(([ip]) => [ip, isNonPublicAddress(ip)])).toEqual(rows);
  });

  test("URLs refused before any lookup, unless private destinations are allowed", () => {
    const rows: [string, string | null][] = [
      ["https://hooks.example.com/x", null],
      ["http://127.0.0.1:8080/hook", "127.0.0.1 is not a public address"],
      ["http://[::1]/hook", "::1 is not a public address"],
      ["http://localhost/hook", "resolves to a loopback address"],
      ["http://169.254.169.254/latest/meta-data", "169.254.169.254 is not a public address"],
      ["ftp://example.com/x", "must be an http(s) URL"],
      ["https://user:pw@example.com/x", "must not carry credentials"],
      ["nope", "not a valid URL"],
    ];
    expect(rows.map(([u]) => [u, urlProblem(u, false)])).toEqual(rows);
    expect(urlProblem("http://127.0.0.1:8080/hook", true)).toBeNull();
  });

  test("the resolved addresses are checked: one private address among them refuses the name", async () => {
    const lookup = (answers: Record<string, string[]>) => async (host: string) => (answers[host] ?? []).map((address) => ({ address }));
    const dns = lookup({ "ok.example": ["93.184.216.34"], "rebind.example": ["93.184.216.34", "10.0.0.7"], "v6.example": ["fd00::1"] });
    expect(await destinationProblem("https://ok.example/h", false, dns)).toBeNull();
    expect(await destinationProblem("https://rebind.example/h", false, dns)).toBe("rebind.example resolves to 10.0.0.7, which is not a public address");
    expect(await destinationProblem("https://v6.example/h", false, dns)).toBe("v6.example resolves to fd00::1, which is not a public address");
    expect(await destinationProblem("https://none.example/h", false, dns)).toBe("cannot resolve none.example");
    expect(await destinationProblem("https://rebind.example/h", true, dns)).toBeNull();
  });
});
