/** The V8 heap bound the image and the k8s Deployments set (docker/Dockerfile ENV, NODE_OPTIONS); test/packaging checks they agree. */
export const DEPLOYED_NODE_OPTIONS = '--max-old-space-size=768';
