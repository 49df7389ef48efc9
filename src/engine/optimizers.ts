/** Epsilon is set explicitly: WebGL's default differs from the other backends. */
export const EPSILON = 1e-7;
