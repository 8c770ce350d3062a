/**
 * Which provider the tests use when no explicit URLs are set, chosen with ORDERSTREAM_INFRA:
 *
 *   native          the tools/infra stack (Kafka and Apicurio from Maven Central jars, embedded PostgreSQL)
 *   testcontainers  containers of the images in tools/infra/versions.json, on the Docker engine that answers
 *   auto            Testcontainers when a Docker engine answers, else native
 *
 * Unset, it is `native` under CI (CI=true) and `auto` elsewhere. CI installs and starts a Docker engine to
 * build the service images, and an engine that merely answers must not switch the test run to pulling
 * images from a registry CI cannot reach: on CI the choice is explicit or native.
 */

export const INFRASTRUCTURE_PREFERENCES = ['native', 'testcontainers', 'auto'] as const;

export type InfrastructurePreference = (typeof INFRASTRUCTURE_PREFERENCES)[number];

/** The environment variable that chooses the provider. */
export const INFRASTRUCTURE_PREFERENCE_ENV = 'ORDERSTREAM_INFRA';

/** Infrastructure could not be chosen or provided; `code` says which of the two, the message how to fix it. */
export class InfrastructureSelectionError extends Error {
  constructor(
    readonly code: 'INFRA_UNKNOWN_PREFERENCE' | 'INFRA_IMAGES_UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'InfrastructureSelectionError';
  }
}

/** A preference and where it came from, so messages can say why a provider was picked. */
export interface ResolvedPreference {
  preference: InfrastructurePreference;
  /** e.g. `ORDERSTREAM_INFRA=auto`, or `the default under CI=true`. */
  origin: string;
}

function isPreference(value: string): value is InfrastructurePreference {
  return (INFRASTRUCTURE_PREFERENCES as readonly string[]).includes(value);
}

/** CI systems set CI to `true` (GitHub, GitLab, our .ci/run) or `1`; `false` and `0` mean not CI. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env['CI']?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Validates an explicit preference (an option or ORDERSTREAM_INFRA) or, when there is none, applies the
 * default. An unknown value is an error, never silently `auto`: a typo would otherwise pick a provider the
 * developer did not ask for.
 */
export function resolvePreference(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedPreference {
  const fromEnv = env[INFRASTRUCTURE_PREFERENCE_ENV]?.trim();
  const value = explicit ?? (fromEnv === '' ? undefined : fromEnv);
  if (value === undefined) {
    return isCi(env)
      ? { preference: 'native', origin: `the default under CI=${env['CI']}` }
      : { preference: 'auto', origin: 'the default outside CI' };
  }
  if (!isPreference(value)) {
    const source =
      explicit !== undefined ? 'provideInfrastructure({ prefer })' : INFRASTRUCTURE_PREFERENCE_ENV;
    throw new InfrastructureSelectionError(
      'INFRA_UNKNOWN_PREFERENCE',
      `${source} is "${value}", which is not one of ${INFRASTRUCTURE_PREFERENCES.join(', ')}: ` +
        'native runs tools/infra, testcontainers runs the Docker images, auto uses Docker when an engine answers.',
    );
  }
  return {
    preference: value,
    origin: explicit !== undefined ? `prefer: '${value}'` : `${INFRASTRUCTURE_PREFERENCE_ENV}=${value}`,
  };
}
