import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseClockTime } from "../lib/clock-time";
import { dailyCron } from "../components/tenant-registry";
import { parseStackConfig } from "../stacks/config";
import { withOverrides } from "./harness";

describe("HH:MM times of day", () => {
  test("00:00 to 23:59 with two digits each are times; anything else is not", () => {
    assert.deepEqual(parseClockTime("00:00"), { hours: 0, minutes: 0 });
    assert.deepEqual(parseClockTime("23:59"), { hours: 23, minutes: 59 });
    assert.deepEqual(parseClockTime("07:05"), { hours: 7, minutes: 5 });
    for (const bad of ["24:00", "23:60", "7:05", "07:5", "07:05:00", " 07:05", "0705", "", 705, undefined]) {
      assert.equal(parseClockTime(bad), undefined, JSON.stringify(bad));
    }
  });

  test("config, its rules and the registry's schedules agree on what a time is", () => {
    const parse = (runAt: string) => {
      const config = withOverrides("dev", { "loco:registry": { retention: { keepLatestPushed: 2, keepPushedWithinDays: 180, runAt } } });
      return () => parseStackConfig({ stack: "dev", values: config.values, secretKeys: new Set(config.secretKeys) });
    };
    assert.throws(parse("24:00"), /loco:registry\.retention\.runAt = "24:00": must be a UTC time of day as HH:MM/);
    assert.doesNotThrow(parse("01:30"));
    assert.equal(dailyCron("01:30"), "0 30 1 * * *");
    assert.throws(() => dailyCron("24:00"), /"24:00" is not an HH:MM time of day/);
  });
});
