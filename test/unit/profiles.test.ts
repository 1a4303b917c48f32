import fc from "fast-check";
import { profileConfig, profileProblem, readConfig, settingsFor } from "../../provider/runtime/settings";

const configWith = (profiles: unknown) =>
  readConfig((key) => ({ connectString: "main:2181", profiles: JSON.stringify(profiles) })[key]);

describe("zookeeper:profiles", () => {
  it("reads each profile like the stack config, numbers and booleans as Pulumi stores them", () => {
    const config = configWith({
      staging: { connectString: "st1:2181,st2:2181", digest: "st:pw", sessionTimeoutMs: 4000 },
      prod: { connectString: "prod:2181" },
    });
    expect(config.profiles).toEqual({
      staging: { connectString: "st1:2181,st2:2181", digest: "st:pw", sessionTimeoutMs: 4000 },
      prod: { connectString: "prod:2181" },
    });
    expect(settingsFor(undefined, profileConfig("staging", config))).toEqual({
      connectString: "st1:2181,st2:2181",
      digest: "st:pw",
      sessionTimeoutMs: 4000,
    });
    // A resource's own connect string wins; the profile still gives the identity.
    expect(settingsFor("other:2181", profileConfig("staging", config))).toMatchObject({
      connectString: "other:2181",
      digest: "st:pw",
    });
    expect(profileConfig(undefined, config)).toBe(config);
  });

  it("reads a connect string given as a list of members as those members joined by commas", () => {
    const config = configWith({ lists: { connectString: ["l1:2181", "l2:2181"] } });
    expect(config.profiles?.lists?.connectString).toBe("l1:2181,l2:2181");
  });

  it("shows a structured value where text belongs as JSON in the error", () => {
    expect(() => configWith({ x: { sessionTimeoutMs: { ms: 4000 } } })).toThrow('{"ms":4000}');
  });

  it.each([
    ["[1]", "must be an object of named connections"],
    ['{"a b":{}}', "the name 'a b' must be"],
    ['{"x":3}', "zookeeper:profiles.x must be an object"],
    ['{"x":{"password":"p"}}', "zookeeper:profiles.x has unknown keys password"],
    ['{"x":{"digest":"nocolon"}}', "zookeeper:profiles.x: digest must be 'user:password'"],
  ])("refuses %s, naming the profile and key, never a value", (text, why) => {
    const read = () => readConfig((key) => ({ profiles: text })[key]);
    expect(read).toThrow(why);
  });

  it("never puts a digest into an error", () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9!#%&*+.=?@^_~-]{12,40}$/);
    fc.assert(
      fc.property(secret, (pw) => {
        const read = () => readConfig((key) => ({ profiles: JSON.stringify({ x: { digest: pw } }) })[key]);
        expect(read).toThrow("zookeeper:profiles.x: digest must be 'user:password'");
        try {
          read();
        } catch (err) {
          expect((err as Error).message).not.toContain(pw);
        }
      }),
    );
  });

  it("says which profiles exist when one is missing", () => {
    const config = configWith({ prod: { connectString: "p:2181" }, staging: {} });
    expect(profileProblem("qa", config)).toBe(
      "profile 'qa' is not in the stack config zookeeper:profiles (known: prod, staging); " +
        "add it with 'pulumi config set --path zookeeper:profiles.qa.connectString host:2181'",
    );
    expect(
      profileProblem(
        "qa",
        readConfig(() => undefined),
      ),
    ).toContain("(none set)");
    expect(profileProblem("prod", config)).toBeUndefined();
  });
});
