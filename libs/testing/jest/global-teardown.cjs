module.exports = async function globalTeardown() {
  const provided = globalThis.__ORDERSTREAM_INFRA__;
  if (provided) await provided.stop();
};
