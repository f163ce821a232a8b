/**
 * The `Application` custom resource definition (`applications.infra.loco.io`) of loco's controller, built in code.
 *
 * loco generates its CRD with controller-gen from the Go types in controller/api/v1alpha1/locoresource_types.go
 * (team-loco/loco at the revision lib/loco-system.ts targets); the chart that would install it is not published. So
 * the schema is written here struct by struct, in the order and with the descriptions controller-gen derives from
 * those types, and test/loco-application-crd.test.ts holds it against the generated file in ../shared/upstream/loco.
 * When loco changes its types, change the matching function below; the test names the first field that differs.
 */
import type { ICustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import type { IJSONSchemaProps } from "kubernetes-models/apiextensions.k8s.io/v1/JSONSchemaProps";
import { locoApplication } from "../lib/loco-system";

/** The loco revision whose Go types this schema follows (its controller-gen output is the upstream reference). */
export const applicationCrdSource = "team-loco/loco@e08302e controller/api/v1alpha1/locoresource_types.go";

type Schema = IJSONSchemaProps;

const described = (description: string | undefined, schema: Schema): Schema => (description ? { description, ...schema } : schema);
const string = (description?: string): Schema => described(description, { type: "string" });
const boolean = (): Schema => ({ type: "boolean" });
const int32 = (description?: string): Schema => described(description, { format: "int32", type: "integer" });
const int64 = (): Schema => ({ format: "int64", type: "integer" });
const time = (): Schema => ({ format: "date-time", type: "string" });
const stringMap = (): Schema => ({ additionalProperties: { type: "string" }, type: "object" });
const object = (properties: Record<string, Schema>, options: { description?: string; required?: string[] } = {}): Schema =>
  described(options.description, {
    properties,
    ...(options.required ? { required: options.required } : {}),
    type: "object",
  });
/** A struct with no fields yet: loco reserves the key for a future resource type. */
const placeholder = (description: string): Schema => ({ description, type: "object" });

/** ReplicasSpec. */
const replicasSpec = (): Schema => object({ max: int32(), min: int32() });

/** ScalersSpec. */
const scalersSpec = (): Schema => object({ cpuTarget: int32(), enabled: boolean(), memoryTarget: int32() });

/** HealthCheckSpec. */
const healthCheckSpec = (description: string): Schema =>
  object({ failThreshold: int32(), interval: int32(), path: string(), startupGracePeriod: int32(), timeout: int32() }, { description });

/** ServiceDeploymentSpec: what the active deployment runs. */
const serviceDeploymentSpec = (description: string): Schema =>
  object(
    {
      buildType: string(),
      cpu: string("Deployment-time resource overrides (takes precedence over ResourcesSpec)"),
      dockerfilePath: string(),
      env: stringMap(),
      healthCheck: healthCheckSpec("HealthCheckSpec describes readiness/liveness checks"),
      image: string(),
      maxReplicas: int32(),
      memory: string(),
      minReplicas: int32(),
      port: int32(),
      scalers: scalersSpec(),
    },
    { description },
  );

/** ObsSpec and its LoggingSpec, MetricsSpec and TracingSpec (all three `omitzero`, hence required). */
const obsSpec = (description: string): Schema =>
  object(
    {
      logging: object({ enabled: boolean(), retentionPeriod: string(), structured: boolean() }),
      metrics: object({ enabled: boolean(), path: string(), port: int32() }, { description: "MetricsSpec defines metrics scraping info" }),
      tracing: object({ enabled: boolean(), sampleRate: string(), tags: stringMap() }),
    },
    { description, required: ["logging", "metrics", "tracing"] },
  );

/** ResourcesSpec: the resource's region defaults. */
const resourcesSpec = (description: string): Schema =>
  object({ cpu: string(), memory: string(), replicas: replicasSpec(), scalers: scalersSpec() }, { description });

/** RoutingSpec. */
const routingSpec = (description: string): Schema =>
  object({ hostName: string(), idleTimeout: int32(), pathPrefix: string() }, { description });

/** ServiceSpec. */
const serviceSpec = (description: string): Schema =>
  object(
    {
      deployment: serviceDeploymentSpec("Deployment info (current or requested)"),
      obs: obsSpec("Observability configuration (logging, metrics, tracing)"),
      resources: resourcesSpec("Resources (CPU, Memory, Replicas, Scalers) - global defaults"),
      routing: routingSpec("Routing configuration (port, domain, subdomain, etc)"),
    },
    { description },
  );

/** ApplicationSpec: a type discriminator and one type-specific spec. */
const applicationSpec = (): Schema =>
  object(
    {
      blobSpec: placeholder("BlobSpec is a placeholder for future BLOB type resources"),
      cacheSpec: placeholder("CacheSpec is a placeholder for future CACHE type resources"),
      databaseSpec: placeholder("DatabaseSpec is a placeholder for future DATABASE type resources"),
      queueSpec: placeholder("QueueSpec is a placeholder for future QUEUE type resources"),
      region: string(),
      resourceId: int64(),
      serviceSpec: serviceSpec("Type-specific specs (only one populated based on Type)"),
      type: string(
        "Type indicates the resource type (SERVICE, DATABASE, CACHE, QUEUE, BLOB)\nOnly the corresponding TypeSpec field should be populated",
      ),
      workspaceId: int64(),
    },
    { description: "spec defines the desired state of Application", required: ["type"] },
  );

/** metav1.Condition, as controller-gen writes it for every CRD that lists conditions. */
const condition = (): Schema =>
  object(
    {
      lastTransitionTime: described(
        "lastTransitionTime is the last time the condition transitioned from one status to another.\n" +
          "This should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.",
        time(),
      ),
      message: {
        description: "message is a human readable message indicating details about the transition.\nThis may be an empty string.",
        maxLength: 32768,
        type: "string",
      },
      observedGeneration: {
        description:
          "observedGeneration represents the .metadata.generation that the condition was set based upon.\n" +
          "For instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date\n" +
          "with respect to the current state of the instance.",
        format: "int64",
        minimum: 0,
        type: "integer",
      },
      reason: {
        description:
          "reason contains a programmatic identifier indicating the reason for the condition's last transition.\n" +
          "Producers of specific condition types may define expected values and meanings for this field,\n" +
          "and whether the values are considered a guaranteed API.\n" +
          "The value should be a CamelCase string.\n" +
          "This field may not be empty.",
        maxLength: 1024,
        minLength: 1,
        pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
        type: "string",
      },
      status: {
        description: "status of the condition, one of True, False, Unknown.",
        enum: ["True", "False", "Unknown"],
        type: "string",
      },
      type: {
        description: "type of condition in CamelCase or in foo.example.com/CamelCase.",
        maxLength: 316,
        pattern: "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
        type: "string",
      },
    },
    {
      description: "Condition contains details for one aspect of the current state of this API Resource.",
      required: ["lastTransitionTime", "message", "reason", "status", "type"],
    },
  );

/** ApplicationStatus: written by the controller, read by loco's API status watcher. */
const applicationStatus = (): Schema =>
  object(
    {
      activeDeploymentRef: string(),
      completedAt: time(),
      conditions: {
        items: condition(),
        type: "array",
        "x-kubernetes-list-map-keys": ["type"],
        "x-kubernetes-list-type": "map",
      },
      createdAt: time(),
      deployedGeneration: int64(),
      message: string(),
      phase: { enum: ["Idle", "Deploying", "Ready", "Failed"], type: "string" },
      startedAt: time(),
      updatedAt: time(),
    },
    { description: "status defines the observed state of Application" },
  );

/** The TypeMeta descriptions every Kubernetes kind's schema carries. */
const typeMeta = {
  apiVersion: string(
    "APIVersion defines the versioned schema of this representation of an object.\n" +
      "Servers should convert recognized schemas to the latest internal value, and\n" +
      "may reject unrecognized values.\n" +
      "More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
  ),
  kind: string(
    "Kind is a string value representing the REST resource this object represents.\n" +
      "Servers may infer this from the endpoint the client submits requests to.\n" +
      "Cannot be updated.\n" +
      "In CamelCase.\n" +
      "More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
  ),
};

/** Pure: the CRD object, ready to apply. */
export function applicationCrd(): ICustomResourceDefinition & { metadata: { name: string } } {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: locoApplication.crdName,
      labels: { "app.kubernetes.io/part-of": "loco-platform" },
      annotations: { "loco.dev/schema-source": applicationCrdSource },
    },
    spec: {
      group: locoApplication.group,
      names: {
        kind: locoApplication.kind,
        listKind: `${locoApplication.kind}List`,
        plural: locoApplication.plural,
        singular: "application",
      },
      scope: "Namespaced",
      versions: [
        {
          name: locoApplication.version,
          schema: {
            openAPIV3Schema: object(
              { ...typeMeta, metadata: { type: "object" }, spec: applicationSpec(), status: applicationStatus() },
              { description: "Application is the Schema for the applications API", required: ["spec"] },
            ),
          },
          served: true,
          storage: true,
          subresources: { status: {} },
        },
      ],
    },
  };
}
