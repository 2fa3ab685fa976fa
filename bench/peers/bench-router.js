// Router script for the bench's script suite: the JavaScript twin of the Java
// router plugin (pick a cluster by a request header, with a default).
const clusters = { a: "upstream" };

export function route(request) {
  const variant = request.headers["x-variant"] || "a";
  return { cluster: clusters[variant] || clusters.a };
}
