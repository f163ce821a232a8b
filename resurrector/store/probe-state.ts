/** The state a probe reports for a check: the vocabulary of the probe history, incidents and the status page. */
export const probeStates = ["healthy", "degraded", "down"] as const;

export type ProbeState = (typeof probeStates)[number];

/** An incident's impact: a check that is not healthy. */
export type Impact = Exclude<ProbeState, "healthy">;

const severity: Record<ProbeState, number> = { healthy: 0, degraded: 1, down: 2 };

/** The worse of two states. */
export const worseState = <S extends ProbeState>(a: S, b: S): S => (severity[b] > severity[a] ? b : a);
