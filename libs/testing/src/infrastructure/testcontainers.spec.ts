import { InfrastructureSelectionError } from './infrastructure-preference';
import { ensureImages, type ImageStore } from './testcontainers';

/** An engine's image store: `present` images exist, `pullable` ones appear when pulled, others fail. */
function store(present: string[], pullable: Record<string, 'ok' | 'silent' | Error>) {
  const have = new Set(present);
  const pulled: string[] = [];
  const images: ImageStore = {
    exists: async (image) => have.has(image),
    pull: async (image) => {
      pulled.push(image);
      const outcome = pullable[image];
      if (outcome instanceof Error) throw outcome;
      if (outcome === 'ok') have.add(image);
      // 'silent': the daemon reported the failure in the progress stream; nothing was thrown.
    },
  };
  return { images, pulled };
}

const context = {
  engine: 'unix:///var/run/docker.sock',
  chosenBy: 'ORDERSTREAM_INFRA=auto (auto) and a Docker engine answers',
};

describe('ensureImages', () => {
  it('pulls only the images the engine lacks', async () => {
    const { images, pulled } = store(['apache/kafka:4.4.0'], { 'postgres:18.4': 'ok' });
    await ensureImages(['apache/kafka:4.4.0', 'postgres:18.4'], images, context);
    expect(pulled).toEqual(['postgres:18.4']);
  });

  it('fails with every image it could not get, the daemon error, the reason for Testcontainers and the native way out', async () => {
    const daemon = new Error(
      '(HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
    );
    const { images } = store(['postgres:18.4'], {
      'apache/kafka:4.4.0': daemon,
      'apicurio/apicurio-registry:3.3.3': 'silent',
    });
    const ensuring = ensureImages(
      ['apache/kafka:4.4.0', 'apicurio/apicurio-registry:3.3.3', 'postgres:18.4'],
      images,
      context,
    );
    await expect(ensuring).rejects.toThrow(InfrastructureSelectionError);
    await expect(ensuring).rejects.toMatchObject({
      code: 'INFRA_IMAGES_UNAVAILABLE',
      message:
        'Testcontainers was chosen (ORDERSTREAM_INFRA=auto (auto) and a Docker engine answers) and the Docker engine ' +
        'at unix:///var/run/docker.sock answers, but it has not got, and could not pull, these images:\n' +
        `  - apache/kafka:4.4.0: ${daemon.message}\n` +
        '  - apicurio/apicurio-registry:3.3.3: the pull ended but the engine has no such image\n' +
        'Use the native stack instead: ORDERSTREAM_INFRA=native npm test (the default when CI=true), ' +
        'or make the images available to the engine first (docker pull, or docker load from a tarball).',
    });
  });

  it('reports a failing existence check as that image failing', async () => {
    const images: ImageStore = {
      exists: async () => {
        throw new Error('(HTTP code 500) server error - engine is shutting down');
      },
      pull: async () => undefined,
    };
    await expect(ensureImages(['postgres:18.4'], images, context)).rejects.toThrow(
      /this image:\n {2}- postgres:18\.4: \(HTTP code 500\) server error - engine is shutting down\n/,
    );
  });
});
