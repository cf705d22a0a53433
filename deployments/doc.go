// Package deployments holds no code: it is the home of the deployment
// files (Dockerfile, compose files, nginx.conf, k8s/ manifests) and of
// deployments_test.go, which parses them and checks their wiring, since
// neither Docker nor kubectl runs in CI.
package deployments
