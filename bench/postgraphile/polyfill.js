// PostGraphile 5 asks for node >= 22; the only newer API it uses is Promise.withResolvers
// (checked by grep over node_modules). On node 20 (this machine's), define it as node 22 does.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
