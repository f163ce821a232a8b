/**
 * The columns the OpenTelemetry ClickHouse exporter names in its INSERTs (collector-contrib 0.158, the image of the
 * pinned chart), per table. The owned schema must accept exactly these; tests and the benchmark insert through
 * them, so a schema change that would break the exporter fails there first.
 */
import type { TelemetryTable } from "./clickhouse-schema";

const metricMetadata = [
  "ResourceAttributes",
  "ResourceSchemaUrl",
  "ScopeName",
  "ScopeVersion",
  "ScopeAttributes",
  "ScopeDroppedAttrCount",
  "ScopeSchemaUrl",
  "ServiceName",
  "MetricName",
  "MetricDescription",
  "MetricUnit",
  "Attributes",
  "StartTimeUnix",
  "TimeUnix",
];
const exemplarColumns = ["Exemplars.FilteredAttributes", "Exemplars.TimeUnix", "Exemplars.Value", "Exemplars.SpanId", "Exemplars.TraceId"];

export const exporterInsertColumns: Readonly<Record<TelemetryTable, readonly string[]>> = {
  logs: [
    "Timestamp",
    "TraceId",
    "SpanId",
    "TraceFlags",
    "SeverityText",
    "SeverityNumber",
    "ServiceName",
    "Body",
    "ResourceSchemaUrl",
    "ResourceAttributes",
    "ScopeSchemaUrl",
    "ScopeName",
    "ScopeVersion",
    "ScopeAttributes",
    "LogAttributes",
    "EventName",
  ],
  traces: [
    "Timestamp",
    "TraceId",
    "SpanId",
    "ParentSpanId",
    "TraceState",
    "SpanName",
    "SpanKind",
    "ServiceName",
    "ResourceAttributes",
    "ScopeName",
    "ScopeVersion",
    "SpanAttributes",
    "Duration",
    "StatusCode",
    "StatusMessage",
    "Events.Timestamp",
    "Events.Name",
    "Events.Attributes",
    "Links.TraceId",
    "Links.SpanId",
    "Links.TraceState",
    "Links.Attributes",
  ],
  metrics_gauge: [...metricMetadata, "Value", "Flags", ...exemplarColumns],
  metrics_sum: [...metricMetadata, "Value", "Flags", ...exemplarColumns, "AggregationTemporality", "IsMonotonic"],
  metrics_histogram: [
    ...metricMetadata,
    "Count",
    "Sum",
    "BucketCounts",
    "ExplicitBounds",
    ...exemplarColumns,
    "Flags",
    "Min",
    "Max",
    "AggregationTemporality",
  ],
  metrics_exp_histogram: [
    ...metricMetadata,
    "Count",
    "Sum",
    "Scale",
    "ZeroCount",
    "PositiveOffset",
    "PositiveBucketCounts",
    "NegativeOffset",
    "NegativeBucketCounts",
    ...exemplarColumns,
    "Flags",
    "Min",
    "Max",
    "AggregationTemporality",
  ],
  metrics_summary: [...metricMetadata, "Count", "Sum", "ValueAtQuantiles.Quantile", "ValueAtQuantiles.Value", "Flags"],
};

const emptyMap = "CAST(map(), 'Map(String, String)')";

/** A neutral value for each exporter column, as a SQL expression. */
const columnDefaults: Readonly<Record<string, string>> = {
  Timestamp: "now64(9)",
  TimeUnix: "now64(9)",
  StartTimeUnix: "now64(9)",
  TraceFlags: "0",
  SeverityNumber: "0",
  ServiceName: "'app'",
  ResourceAttributes: emptyMap,
  ScopeAttributes: emptyMap,
  LogAttributes: emptyMap,
  SpanAttributes: emptyMap,
  Attributes: emptyMap,
  Duration: "1000000",
  SpanKind: "'Server'",
  StatusCode: "'Unset'",
  ScopeDroppedAttrCount: "0",
  MetricName: "'metric'",
  Value: "1",
  Flags: "0",
  AggregationTemporality: "2",
  IsMonotonic: "true",
  Count: "1",
  Sum: "1",
  Min: "0",
  Max: "1",
  Scale: "0",
  ZeroCount: "0",
  PositiveOffset: "0",
  NegativeOffset: "0",
  BucketCounts: "[1]",
  ExplicitBounds: "[]",
  PositiveBucketCounts: "[]",
  NegativeBucketCounts: "[]",
};

/** Nested sub-columns (Events.Name, Exemplars.Value, ...) are arrays; empty by default. */
const defaultFor = (column: string) => columnDefaults[column] ?? (column.includes(".") ? "[]" : "''");

/**
 * `INSERT INTO otel.<table> (<the exporter's columns>) SELECT ... FROM numbers(rows)`: rows shaped as the exporter
 * writes them, for tests and the benchmark. `values` are SQL expressions per column (they may use `number`).
 */
export function exporterShapedInsert(table: TelemetryTable, values: Readonly<Record<string, string>>, rows = 1, database = "otel"): string {
  const columns = exporterInsertColumns[table];
  const unknown = Object.keys(values).filter((c) => !columns.includes(c));
  if (unknown.length > 0) throw new Error(`the exporter does not write ${unknown.join(", ")} into ${table}`);
  const expressions = columns.map((c) => values[c] ?? defaultFor(c));
  return `INSERT INTO ${database}.${table} (${columns.join(", ")}) SELECT ${expressions.join(", ")} FROM numbers(${rows})`;
}
