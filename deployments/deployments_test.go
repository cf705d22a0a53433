package deployments

// These tests keep the deployment files honest where no Docker engine,
// kubectl or nginx runs: every YAML file must parse, and the wiring between
// the files (names, ports, probes, URIs, selectors, the proxy's upstreams)
// must hold together. They read the files only; nothing is started.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// settings are the WHOSAID_* environment variables a deployment may set.
// WHOSAID_DATA_DIR is left out on purpose: it only places the embedded
// store, which a deployment with several replicas must not use.
var settings = []string{
	"WHOSAID_ADDR",
	"WHOSAID_MONGO_URI",
	"WHOSAID_DB",
	"WHOSAID_LOG_FORMAT",
	"WHOSAID_LOG_LEVEL",
	"WHOSAID_AUTH",
	"WHOSAID_RATE_LIMIT",
	"WHOSAID_RATE_BURST",
	"WHOSAID_CORS_ORIGINS",
	"WHOSAID_TRUSTED_PROXIES",
}

// Shutdown of serve (internal/cli): HTTP drains for up to httpDrain, then
// the driver disconnects within storeClose. A pod's grace period must
// cover both after its preStop sleep.
const (
	httpDrain  = 10
	storeClose = 10
)

const (
	replicaSetCompose = "compose.replicaset.yaml"
	nginxConf         = "nginx.conf"
	k8sDir            = "k8s"
	kustomization     = "kustomization.yaml"
)

// obj is a YAML mapping as yaml.v3 decodes it into an interface value.
type obj = map[string]any

func at(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(obj)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func atMap(v any, path ...string) obj { m, _ := at(v, path...).(obj); return m }

func atStr(v any, path ...string) string { s, _ := at(v, path...).(string); return s }

func atList(v any, path ...string) []any { l, _ := at(v, path...).([]any); return l }

func atInt(v any, path ...string) (int, bool) { n, ok := at(v, path...).(int); return n, ok }

// yamlFiles lists the YAML files of deployments/ and deployments/k8s/.
func yamlFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"*.yaml", "*.yml", k8sDir + "/*.yaml", k8sDir + "/*.yml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	slices.Sort(out)
	return out
}

// loadDocs decodes every document of a YAML file; each must be a mapping.
func loadDocs(t *testing.T, path string) []obj {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []obj
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if v == nil {
			continue // an empty document between two ---
		}
		m, ok := v.(obj)
		if !ok {
			t.Fatalf("%s: document %d is a %T, want a mapping", path, len(docs)+1, v)
		}
		docs = append(docs, m)
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no YAML document", path)
	}
	return docs
}

func TestYAMLFilesParse(t *testing.T) {
	files := yamlFiles(t)
	for _, want := range []string{"compose.yaml", replicaSetCompose, k8sDir + "/" + kustomization} {
		if !slices.Contains(files, want) {
			t.Errorf("%s is missing", want)
		}
	}
	for _, f := range files {
		t.Logf("%s: %d document(s)", f, len(loadDocs(t, f)))
	}
}

// --- Kubernetes ---------------------------------------------------------

// apiVersions is the apiVersion of every kind the manifests may hold. A new
// kind belongs here, with the version the target clusters serve.
var apiVersions = map[string]string{
	"Namespace":               "v1",
	"ConfigMap":               "v1",
	"Secret":                  "v1",
	"Service":                 "v1",
	"Deployment":              "apps/v1",
	"HorizontalPodAutoscaler": "autoscaling/v2",
	"PodDisruptionBudget":     "policy/v1",
	"Kustomization":           "kustomize.config.k8s.io/v1beta1",
}

type manifests struct {
	byKind map[string][]obj
	files  map[string][]obj // base name -> documents
}

func loadManifests(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob(k8sDir + "/*.y*ml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no manifests in %s/", k8sDir)
	}
	m := manifests{byKind: map[string][]obj{}, files: map[string][]obj{}}
	for _, f := range files {
		docs := loadDocs(t, f)
		m.files[filepath.Base(f)] = docs
		for _, d := range docs {
			m.byKind[atStr(d, "kind")] = append(m.byKind[atStr(d, "kind")], d)
		}
	}
	return m
}

// one returns the only object of a kind.
func (m manifests) one(t *testing.T, kind string) obj {
	t.Helper()
	if n := len(m.byKind[kind]); n != 1 {
		t.Fatalf("%d objects of kind %s, want 1", n, kind)
	}
	return m.byKind[kind][0]
}

func TestK8sObjectsAreComplete(t *testing.T) {
	m := loadManifests(t)
	for file, docs := range m.files {
		for i, d := range docs {
			kind, api := atStr(d, "kind"), atStr(d, "apiVersion")
			where := fmt.Sprintf("%s document %d (%s)", file, i+1, kind)
			if kind == "" || api == "" {
				t.Errorf("%s: apiVersion %q, kind %q: both are required", where, api, kind)
				continue
			}
			want, known := apiVersions[kind]
			switch {
			case !known:
				t.Errorf("%s: kind not known to this test; add it to apiVersions", where)
			case api != want:
				t.Errorf("%s: apiVersion %q, want %q", where, api, want)
			}
			if kind == "Kustomization" {
				continue // metadata is optional there
			}
			if atStr(d, "metadata", "name") == "" {
				t.Errorf("%s: metadata.name is empty", where)
			}
		}
	}
	for _, kind := range []string{"ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} {
		if n := len(m.byKind[kind]); n != 1 {
			t.Errorf("%d objects of kind %s, want 1", n, kind)
		}
	}
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	m := loadManifests(t)
	k := m.one(t, "Kustomization")
	var listed []string
	for _, r := range atList(k, "resources") {
		s, _ := r.(string)
		listed = append(listed, s)
		if _, ok := m.files[s]; !ok {
			t.Errorf("%s lists %q, which is not a file in %s/", kustomization, s, k8sDir)
		}
	}
	for f := range m.files {
		if f != kustomization && !slices.Contains(listed, f) {
			t.Errorf("%s/%s is not listed in %s resources", k8sDir, f, kustomization)
		}
	}
	ns := atStr(k, "namespace")
	if ns == "" {
		t.Errorf("%s sets no namespace", kustomization)
	}
	for _, n := range m.byKind["Namespace"] {
		if name := atStr(n, "metadata", "name"); name != ns {
			t.Errorf("Namespace %q, but %s deploys into %q", name, kustomization, ns)
		}
	}
	// images: only rewrites containers whose image has that name.
	d := m.one(t, "Deployment")
	for _, img := range atList(k, "images") {
		name := atStr(img, "name")
		found := false
		for _, c := range atList(d, "spec", "template", "spec", "containers") {
			ref := atStr(c, "image")
			if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
				ref = ref[:i]
			}
			found = found || ref == name
		}
		if !found {
			t.Errorf("%s images: %q matches no container image of the Deployment", kustomization, name)
		}
	}
}

// container returns the Deployment's whosaid container and its port.
func container(t *testing.T, d obj) (c obj, portName string, port int) {
	t.Helper()
	cs := atList(d, "spec", "template", "spec", "containers")
	if len(cs) != 1 {
		t.Fatalf("Deployment has %d containers, want 1", len(cs))
	}
	c, _ = cs[0].(obj)
	ports := atList(c, "ports")
	if len(ports) != 1 {
		t.Fatalf("container %q declares %d ports, want 1", atStr(c, "name"), len(ports))
	}
	port, ok := atInt(ports[0], "containerPort")
	if !ok {
		t.Fatalf("container port %v is not a number", at(ports[0], "containerPort"))
	}
	return c, atStr(ports[0], "name"), port
}

// resolvePort turns a port given by number or by name into the container's
// port number, or -1 when it names no declared port.
func resolvePort(v any, portName string, port int) int {
	switch p := v.(type) {
	case int:
		if p == port {
			return p
		}
	case string:
		if p == portName && p != "" {
			return port
		}
		if n, err := strconv.Atoi(p); err == nil && n == port {
			return n
		}
	}
	return -1
}

func TestDeployment(t *testing.T) {
	m := loadManifests(t)
	d := m.one(t, "Deployment")
	c, portName, port := container(t, d)
	if port != 8080 {
		t.Errorf("container port %d, want 8080 (WHOSAID_ADDR 0.0.0.0:8080)", port)
	}
	if n, _ := atInt(d, "spec", "replicas"); n != 2 {
		t.Errorf("replicas %v, want 2", at(d, "spec", "replicas"))
	}

	podLabels := atMap(d, "spec", "template", "metadata", "labels")
	sel := atMap(d, "spec", "selector", "matchLabels")
	if len(sel) == 0 || !subset(sel, podLabels) {
		t.Errorf("selector %v does not select the pod template's labels %v", sel, podLabels)
	}

	probes := []struct {
		name, path string
		required   bool
	}{
		{"readinessProbe", "/readyz", true},
		{"livenessProbe", "/healthz", true},
		{"startupProbe", "/healthz", false},
	}
	for _, p := range probes {
		probe := atMap(c, p.name)
		if probe == nil {
			if p.required {
				t.Errorf("%s is missing", p.name)
			}
			continue
		}
		if got := atStr(probe, "httpGet", "path"); got != p.path {
			t.Errorf("%s GET %q, want %q", p.name, got, p.path)
		}
		if resolvePort(at(probe, "httpGet", "port"), portName, port) != port {
			t.Errorf("%s port %v is not the container port (%d, %q)", p.name, at(probe, "httpGet", "port"), port, portName)
		}
	}

	for _, kind := range []string{"requests", "limits"} {
		for _, res := range []string{"cpu", "memory"} {
			if at(c, "resources", kind, res) == nil {
				t.Errorf("resources.%s.%s is not set", kind, res)
			}
		}
	}

	nonRoot := at(d, "spec", "template", "spec", "securityContext", "runAsNonRoot") == true ||
		at(c, "securityContext", "runAsNonRoot") == true
	if !nonRoot {
		t.Error("runAsNonRoot is not true (pod or container securityContext)")
	}
	if at(c, "securityContext", "readOnlyRootFilesystem") != true {
		t.Error("container securityContext.readOnlyRootFilesystem is not true")
	}
	if at(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("container securityContext.allowPrivilegeEscalation is not false")
	}

	// The image is distroless: no shell, no sleep binary, so only the
	// sleep action can delay shutdown.
	if at(c, "lifecycle", "preStop", "exec") != nil {
		t.Error("preStop runs a command, but the image has no shell or sleep binary")
	}
	sleep, ok := atInt(c, "lifecycle", "preStop", "sleep", "seconds")
	if !ok || sleep < 1 {
		t.Errorf("preStop sleep %v, want a number of seconds ≥ 1 so the endpoint is removed before SIGTERM", at(c, "lifecycle", "preStop"))
	}
	grace, ok := atInt(d, "spec", "template", "spec", "terminationGracePeriodSeconds")
	if need := sleep + httpDrain + storeClose; !ok || grace < need {
		t.Errorf("terminationGracePeriodSeconds %v, want ≥ %d (preStop %d s + HTTP drain %d s + store close %d s)",
			at(d, "spec", "template", "spec", "terminationGracePeriodSeconds"), need, sleep, httpDrain, storeClose)
	}

	ann := atMap(d, "spec", "template", "metadata", "annotations")
	for k, want := range map[string]string{
		"prometheus.io/scrape": "true",
		"prometheus.io/port":   strconv.Itoa(port),
		"prometheus.io/path":   "/metrics",
	} {
		if got, _ := ann[k].(string); got != want {
			t.Errorf("pod annotation %s = %v, want %q", k, ann[k], want)
		}
	}

	// envFrom must name the ConfigMap and the Secret that exist.
	refs := map[string]string{}
	for _, e := range atList(c, "envFrom") {
		if n := atStr(e, "configMapRef", "name"); n != "" {
			refs["ConfigMap"] = n
		}
		if n := atStr(e, "secretRef", "name"); n != "" {
			refs["Secret"] = n
		}
	}
	for _, kind := range []string{"ConfigMap", "Secret"} {
		if want := atStr(m.one(t, kind), "metadata", "name"); refs[kind] != want {
			t.Errorf("envFrom %s %q, want %q", kind, refs[kind], want)
		}
	}
	// A --addr flag would override WHOSAID_ADDR from the ConfigMap.
	for _, a := range atList(c, "args") {
		if s, _ := a.(string); strings.HasPrefix(s, "--addr") {
			t.Errorf("container args set %q, which overrides WHOSAID_ADDR", s)
		}
	}
}

func subset(sub, of obj) bool {
	for k, v := range sub {
		if of[k] != v {
			return false
		}
	}
	return true
}

func TestServiceHPAAndPDBMatchTheDeployment(t *testing.T) {
	m := loadManifests(t)
	d := m.one(t, "Deployment")
	_, portName, port := container(t, d)
	podLabels := atMap(d, "spec", "template", "metadata", "labels")
	replicas, _ := atInt(d, "spec", "replicas")

	svc := m.one(t, "Service")
	if sel := atMap(svc, "spec", "selector"); len(sel) == 0 || !subset(sel, podLabels) {
		t.Errorf("Service selector %v does not select the pods (%v)", sel, podLabels)
	}
	ports := atList(svc, "spec", "ports")
	if len(ports) == 0 {
		t.Error("Service has no ports")
	}
	for _, p := range ports {
		if resolvePort(at(p, "targetPort"), portName, port) != port {
			t.Errorf("Service targetPort %v is not the container port (%d, %q)", at(p, "targetPort"), port, portName)
		}
	}

	pdb := m.one(t, "PodDisruptionBudget")
	if sel := atMap(pdb, "spec", "selector", "matchLabels"); len(sel) == 0 || !subset(sel, podLabels) {
		t.Errorf("PodDisruptionBudget selector %v does not select the pods (%v)", sel, podLabels)
	}
	minAvail, hasMin := atInt(pdb, "spec", "minAvailable")
	if hasMin && minAvail >= replicas {
		t.Errorf("PodDisruptionBudget minAvailable %d with %d replicas blocks every node drain", minAvail, replicas)
	}
	if !hasMin && at(pdb, "spec", "maxUnavailable") == nil {
		t.Error("PodDisruptionBudget sets neither minAvailable nor maxUnavailable")
	}

	hpa := m.one(t, "HorizontalPodAutoscaler")
	ref := atMap(hpa, "spec", "scaleTargetRef")
	if atStr(ref, "kind") != "Deployment" || atStr(ref, "name") != atStr(d, "metadata", "name") || atStr(ref, "apiVersion") != "apps/v1" {
		t.Errorf("HPA scaleTargetRef %v, want the Deployment %q (apps/v1)", ref, atStr(d, "metadata", "name"))
	}
	lo, _ := atInt(hpa, "spec", "minReplicas")
	hi, _ := atInt(hpa, "spec", "maxReplicas")
	if lo < 2 || hi < lo {
		t.Errorf("HPA replicas %d..%d, want at least 2 and min ≤ max", lo, hi)
	}
	cpu := false
	for _, mt := range atList(hpa, "spec", "metrics") {
		if atStr(mt, "type") == "Resource" && atStr(mt, "resource", "name") == "cpu" &&
			atStr(mt, "resource", "target", "type") == "Utilization" {
			_, cpu = atInt(mt, "resource", "target", "averageUtilization")
		}
	}
	if !cpu {
		t.Error("HPA has no CPU utilisation metric")
	}
}

func TestConfigMapAndSecret(t *testing.T) {
	m := loadManifests(t)
	cm := atMap(m.one(t, "ConfigMap"), "data")
	for k, v := range cm {
		if _, ok := v.(string); !ok {
			// kubectl rejects numbers and booleans in data: quote them.
			t.Errorf("ConfigMap %s is a %T, want a quoted string", k, v)
		}
	}
	for k, want := range map[string]string{"WHOSAID_ADDR": "0.0.0.0:8080", "WHOSAID_LOG_FORMAT": "json"} {
		if cm[k] != want {
			t.Errorf("ConfigMap %s = %v, want %q", k, cm[k], want)
		}
	}
	if a := cm["WHOSAID_AUTH"]; a != "on" && a != "off" {
		t.Errorf("ConfigMap WHOSAID_AUTH = %v, want on or off", a)
	}
	if _, err := parseCIDRs(atStr(cm, "WHOSAID_TRUSTED_PROXIES")); err != nil {
		t.Errorf("ConfigMap WHOSAID_TRUSTED_PROXIES: %v", err)
	}
	if _, ok := cm["WHOSAID_MONGO_URI"]; ok {
		t.Error("WHOSAID_MONGO_URI is in the ConfigMap; it may hold a password and belongs in the Secret")
	}

	sec := m.one(t, "Secret")
	uri := atStr(sec, "stringData", "WHOSAID_MONGO_URI")
	if uri == "" && atStr(sec, "data", "WHOSAID_MONGO_URI") == "" {
		t.Fatal("Secret holds no WHOSAID_MONGO_URI (an empty one would start the embedded store in every pod)")
	}
	if uri != "" && !strings.HasPrefix(uri, "mongodb://") && !strings.HasPrefix(uri, "mongodb+srv://") {
		t.Error("Secret WHOSAID_MONGO_URI is not a mongodb:// or mongodb+srv:// URI")
	}
}

// parseCIDRs parses a comma-separated CIDR list, as WHOSAID_TRUSTED_PROXIES
// holds it.
func parseCIDRs(s string) ([]netip.Prefix, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty")
	}
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		p, err := netip.ParsePrefix(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// --- environment names --------------------------------------------------

var settingRef = regexp.MustCompile(`WHOSAID_[A-Z0-9_]+`)

// TestEnvNames checks that every WHOSAID_* variable the compose files and
// the manifests set, or mention in a value, is one whosaid reads.
func TestEnvNames(t *testing.T) {
	seen := map[string][]string{} // name -> where
	note := func(name, where string) {
		if strings.HasPrefix(name, "WHOSAID_") {
			seen[name] = append(seen[name], where)
		}
	}
	for _, f := range yamlFiles(t) {
		for _, d := range loadDocs(t, f) {
			// Names in any string value: commands, interpolations, URIs.
			walkStrings(d, func(s string) {
				for _, n := range settingRef.FindAllString(s, -1) {
					note(n, f)
				}
			})
			for name, svc := range atMap(d, "services") {
				env, err := composeEnv(svc)
				if err != nil {
					t.Errorf("%s service %s: %v", f, name, err)
				}
				for k := range env {
					note(k, f+" service "+name)
				}
			}
			switch atStr(d, "kind") {
			case "ConfigMap", "Secret":
				for _, field := range []string{"data", "stringData"} {
					for k := range atMap(d, field) {
						if !strings.HasPrefix(k, "WHOSAID_") {
							t.Errorf("%s: %s key %q becomes an environment variable whosaid does not read", f, atStr(d, "kind"), k)
						}
						note(k, f)
					}
				}
			case "Deployment":
				for _, c := range atList(d, "spec", "template", "spec", "containers") {
					for _, e := range atList(c, "env") {
						note(atStr(e, "name"), f)
					}
				}
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("no WHOSAID_* variable found at all")
	}
	for name, where := range seen {
		if !slices.Contains(settings, name) {
			t.Errorf("%s (in %s) is not a setting of whosaid; known: %s", name, strings.Join(slices.Compact(where), ", "), strings.Join(settings, " "))
		}
	}
}

func walkStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case obj:
		for _, e := range x {
			walkStrings(e, f)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, f)
		}
	}
}

// composeEnv returns a compose service's environment, given as a mapping
// or as a list of NAME=value. Values must be strings: compose would accept
// numbers and booleans, but yes/no/on/off then depend on the YAML version.
func composeEnv(svc any) (map[string]string, error) {
	out := map[string]string{}
	var errs []error
	switch env := at(svc, "environment").(type) {
	case nil:
	case obj:
		for k, v := range env {
			switch s := v.(type) {
			case string:
				out[k] = s
			case nil:
				out[k] = ""
			default:
				out[k] = fmt.Sprint(v)
				errs = append(errs, fmt.Errorf("environment %s is a %T, want a quoted string", k, v))
			}
		}
	case []any:
		for _, e := range env {
			s, _ := e.(string)
			k, v, _ := strings.Cut(s, "=")
			out[k] = v
		}
	default:
		errs = append(errs, fmt.Errorf("environment is a %T", env))
	}
	return out, errors.Join(errs...)
}

// --- compose replica set -------------------------------------------------

// words returns a compose command or entrypoint as a list of strings.
func words(v any) []string {
	switch x := v.(type) {
	case string:
		return strings.Fields(x)
	case []any:
		var out []string
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// flagValue returns the value of a --flag value or --flag=value argument.
func flagValue(args []string, flag string) (string, bool) {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1], true
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v, true
		}
	}
	return "", false
}

type publish struct{ hostIP, hostPort, target string }

// ports returns a compose service's published ports, short or long syntax.
func ports(t *testing.T, svc any) []publish {
	t.Helper()
	var out []publish
	for _, p := range atList(svc, "ports") {
		switch x := p.(type) {
		case string:
			parts := strings.Split(x, ":")
			var pub publish
			switch len(parts) {
			case 3:
				pub = publish{parts[0], parts[1], parts[2]}
			case 2:
				pub = publish{"", parts[0], parts[1]}
			default:
				pub = publish{"", "", parts[0]}
			}
			pub.target, _, _ = strings.Cut(pub.target, "/")
			out = append(out, pub)
		case obj:
			out = append(out, publish{atStr(x, "host_ip"), fmt.Sprint(at(x, "published")), fmt.Sprint(at(x, "target"))})
		default:
			t.Errorf("port %v: want a string or a mapping", p)
		}
	}
	return out
}

func stringList(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
	case obj:
		for k := range x {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

type replicaSetStack struct {
	file     obj
	services obj
	setName  string
	members  []string // service names of the mongod members
	hosts    []string // their host:port
	init     string   // the service that runs rs.initiate
	apps     []string // whosaid services
	proxy    string
}

func loadReplicaSetStack(t *testing.T) replicaSetStack {
	t.Helper()
	docs := loadDocs(t, replicaSetCompose)
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents, want 1", replicaSetCompose, len(docs))
	}
	s := replicaSetStack{file: docs[0], services: atMap(docs[0], "services")}
	names := make([]string, 0, len(s.services))
	for n := range s.services {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		svc := s.services[n]
		cmd := words(at(svc, "command"))
		if rs, ok := flagValue(cmd, "--replSet"); ok {
			if s.setName != "" && rs != s.setName {
				t.Errorf("service %s is in replica set %q, others in %q", n, rs, s.setName)
			}
			s.setName = rs
			port := "27017"
			if p, ok := flagValue(cmd, "--port"); ok {
				port = p
			}
			s.members = append(s.members, n)
			s.hosts = append(s.hosts, n+":"+port)
			continue
		}
		if strings.Contains(s.script(n), "rs.initiate(") {
			s.init = n
		}
		if atStr(svc, "build", "dockerfile") == "deployments/Dockerfile" {
			s.apps = append(s.apps, n)
		}
		for _, v := range stringList(at(svc, "volumes")) {
			if strings.HasPrefix(v, "./"+nginxConf+":") {
				s.proxy = n
			}
		}
	}
	return s
}

func (s replicaSetStack) script(name string) string {
	svc := s.services[name]
	var b strings.Builder
	for _, w := range words(at(svc, "entrypoint")) {
		b.WriteString(w + " ")
	}
	switch c := at(svc, "command").(type) {
	case string:
		b.WriteString(c)
	case []any:
		for _, e := range c {
			b.WriteString(fmt.Sprint(e) + " ")
		}
	}
	return b.String()
}

func TestComposeReplicaSet(t *testing.T) {
	s := loadReplicaSetStack(t)
	if len(s.members) != 3 {
		t.Fatalf("%d services run mongod --replSet (%v), want 3", len(s.members), s.members)
	}
	if s.setName == "" {
		t.Fatal("the replica set has no name")
	}
	volumes := map[string]string{}
	for _, n := range s.members {
		svc := s.services[n]
		if img := atStr(svc, "image"); !strings.HasPrefix(img, "mongo:7") {
			t.Errorf("member %s runs %q, want mongo:7", n, img)
		}
		if at(svc, "healthcheck", "test") == nil {
			t.Errorf("member %s has no healthcheck, so nothing can wait for it", n)
		}
		data := ""
		for _, v := range stringList(at(svc, "volumes")) {
			if src, dst, _ := strings.Cut(v, ":"); dst == "/data/db" {
				data = src
			}
		}
		if data == "" {
			t.Errorf("member %s keeps /data/db in no volume", n)
		} else if other, dup := volumes[data]; dup {
			t.Errorf("members %s and %s share the volume %s", other, n, data)
		}
		volumes[data] = n
	}

	if s.init == "" {
		t.Fatal("no service runs rs.initiate")
	}
	script := s.script(s.init)
	for _, h := range s.hosts {
		if !strings.Contains(script, `"`+h+`"`) {
			t.Errorf("%s does not name the member %s", s.init, h)
		}
	}
	if !strings.Contains(script, `"`+s.setName+`"`) {
		t.Errorf("%s does not name the replica set %q", s.init, s.setName)
	}
	if !strings.Contains(script, "PRIMARY") {
		t.Errorf("%s does not wait for a PRIMARY", s.init)
	}
	for _, n := range s.members {
		if c := atStr(s.services[s.init], "depends_on", n, "condition"); c != "service_healthy" {
			t.Errorf("%s depends on %s with condition %q, want service_healthy", s.init, n, c)
		}
	}

	if len(s.apps) < 2 {
		t.Fatalf("%d whosaid services (built from deployments/Dockerfile), want at least 2", len(s.apps))
	}
	for _, n := range s.apps {
		svc := s.services[n]
		ctx := atStr(svc, "build", "context")
		if _, err := os.Stat(filepath.Join(ctx, "go.mod")); err != nil {
			t.Errorf("%s: build context %q is not the repository root: %v", n, ctx, err)
		}
		if _, err := os.Stat(filepath.Join(ctx, atStr(svc, "build", "dockerfile"))); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		env, _ := composeEnv(svc)
		checkReplicaSetURI(t, n, env["WHOSAID_MONGO_URI"], s.hosts, s.setName)
		if c := atStr(svc, "depends_on", s.init, "condition"); c != "service_completed_successfully" {
			t.Errorf("%s depends on %s with condition %q, want service_completed_successfully", n, s.init, c)
		}
	}
}

// checkReplicaSetURI checks that uri names exactly the members and the set.
func checkReplicaSetURI(t *testing.T, service, uri string, hosts []string, set string) {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "mongodb" {
		t.Errorf("%s: WHOSAID_MONGO_URI %q is not a mongodb:// URI (%v)", service, uri, err)
		return
	}
	got := strings.Split(u.Host, ",")
	slices.Sort(got)
	want := slices.Clone(hosts)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: WHOSAID_MONGO_URI hosts %v, want the members %v", service, got, want)
	}
	if rs := u.Query().Get("replicaSet"); rs != set {
		t.Errorf("%s: WHOSAID_MONGO_URI replicaSet=%q, want %q", service, rs, set)
	}
}

func TestComposeOnlyTheProxyIsPublished(t *testing.T) {
	s := loadReplicaSetStack(t)
	if s.proxy == "" {
		t.Fatalf("no service mounts ./%s", nginxConf)
	}
	for name, svc := range s.services {
		ps := ports(t, svc)
		if name != s.proxy {
			if len(ps) > 0 {
				t.Errorf("service %s publishes %v; only the proxy may", name, ps)
			}
			continue
		}
		if len(ps) == 0 {
			t.Errorf("the proxy %s publishes no port", name)
		}
		for _, p := range ps {
			if p.hostIP != "127.0.0.1" {
				t.Errorf("the proxy publishes %+v on %q, want 127.0.0.1 only", p, p.hostIP)
			}
		}
	}
}

// networksOf returns the compose networks a service is attached to.
func networksOf(svc any) []string {
	if n := stringList(at(svc, "networks")); len(n) > 0 {
		return n
	}
	return []string{"default"}
}

func TestComposeTrustedProxiesCoverTheProxyNetwork(t *testing.T) {
	s := loadReplicaSetStack(t)
	if s.proxy == "" {
		t.Fatalf("no service mounts ./%s", nginxConf)
	}
	proxyNets := networksOf(s.services[s.proxy])
	for _, n := range s.members {
		for _, nw := range networksOf(s.services[n]) {
			if slices.Contains(proxyNets, nw) {
				t.Errorf("the proxy and MongoDB member %s share the network %s", n, nw)
			}
		}
	}
	for _, app := range s.apps {
		env, _ := composeEnv(s.services[app])
		trusted, err := parseCIDRs(env["WHOSAID_TRUSTED_PROXIES"])
		if err != nil {
			t.Errorf("%s: WHOSAID_TRUSTED_PROXIES: %v", app, err)
			continue
		}
		shared := 0
		for _, nw := range networksOf(s.services[app]) {
			if !slices.Contains(proxyNets, nw) {
				continue
			}
			shared++
			subnets := atList(s.file, "networks", nw, "ipam", "config")
			if len(subnets) == 0 {
				t.Errorf("network %s (proxy to %s) has no fixed subnet for WHOSAID_TRUSTED_PROXIES to name", nw, app)
			}
			for _, c := range subnets {
				sub, err := netip.ParsePrefix(atStr(c, "subnet"))
				if err != nil {
					t.Errorf("network %s: subnet: %v", nw, err)
					continue
				}
				if !slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Bits() <= sub.Bits() && p.Contains(sub.Addr()) }) {
					t.Errorf("%s: WHOSAID_TRUSTED_PROXIES %v does not cover the proxy network %s (%s)", app, trusted, nw, sub)
				}
			}
		}
		if shared == 0 {
			t.Errorf("%s shares no network with the proxy %s", app, s.proxy)
		}
	}
}

// --- nginx.conf ------------------------------------------------------------

// directive is one nginx directive with its arguments and, for blocks, the
// directives inside.
type directive struct {
	name     string
	args     []string
	children []*directive
}

func (d *directive) find(name string) []*directive {
	var out []*directive
	for _, c := range d.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// tokenize splits nginx configuration text into words, quoted strings
// (without their quotes) and the punctuation ; { }.
func tokenize(src string) ([]string, error) {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(src); i++ {
		switch ch := src[i]; {
		case ch == '#':
			flush()
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case ch == '"' || ch == '\'':
			flush()
			j := i + 1
			for ; j < len(src) && src[j] != ch; j++ {
				if src[j] == '\\' {
					j++
				}
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated %c string at byte %d", ch, i)
			}
			toks = append(toks, src[i+1:j])
			i = j
		case ch == ';' || ch == '{' || ch == '}':
			flush()
			toks = append(toks, string(ch))
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			flush()
		default:
			cur.WriteByte(ch)
		}
	}
	flush()
	return toks, nil
}

// parseNginx reads a configuration into a tree under a root directive.
func parseNginx(src string) (*directive, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	root := &directive{name: "(root)"}
	stack := []*directive{root}
	var cur *directive
	for _, tok := range toks {
		top := stack[len(stack)-1]
		switch tok {
		case ";":
			if cur == nil {
				return nil, errors.New("empty directive")
			}
			top.children = append(top.children, cur)
			cur = nil
		case "{":
			if cur == nil {
				return nil, errors.New("block without a directive")
			}
			top.children = append(top.children, cur)
			stack = append(stack, cur)
			cur = nil
		case "}":
			if cur != nil {
				return nil, fmt.Errorf("directive %s not ended by ;", cur.name)
			}
			if len(stack) == 1 {
				return nil, errors.New("unbalanced }")
			}
			stack = stack[:len(stack)-1]
		default:
			if cur == nil {
				cur = &directive{name: tok}
			} else {
				cur.args = append(cur.args, tok)
			}
		}
	}
	if cur != nil || len(stack) != 1 {
		return nil, errors.New("unexpected end: a block or directive is not closed")
	}
	return root, nil
}

func TestNginxConf(t *testing.T) {
	src, err := os.ReadFile(nginxConf)
	if err != nil {
		t.Fatal(err)
	}
	root, err := parseNginx(string(src))
	if err != nil {
		t.Fatalf("%s: %v", nginxConf, err)
	}
	https := root.find("http")
	if len(https) != 1 {
		t.Fatalf("%d http blocks, want 1", len(https))
	}
	http := https[0]

	// The upstream must hold exactly the whosaid services, on the port
	// they listen on.
	s := loadReplicaSetStack(t)
	var want []string
	for _, app := range s.apps {
		env, _ := composeEnv(s.services[app])
		_, port, err := splitHostPort(env["WHOSAID_ADDR"])
		if err != nil {
			t.Errorf("%s: WHOSAID_ADDR: %v", app, err)
		}
		want = append(want, app+":"+port)
	}
	slices.Sort(want)
	upstreams := map[string][]string{}
	for _, u := range http.find("upstream") {
		if len(u.args) != 1 {
			t.Errorf("upstream %v: want one name", u.args)
			continue
		}
		var servers []string
		for _, srv := range u.find("server") {
			if len(srv.args) > 0 {
				servers = append(servers, srv.args[0])
			}
		}
		slices.Sort(servers)
		upstreams[u.args[0]] = servers
	}
	if len(upstreams) != 1 {
		t.Fatalf("%d upstream blocks, want 1", len(upstreams))
	}
	var upstream string
	for name, servers := range upstreams {
		upstream = name
		if !slices.Equal(servers, want) {
			t.Errorf("upstream %s servers %v, want the whosaid services %v", name, servers, want)
		}
	}

	servers := http.find("server")
	if len(servers) != 1 {
		t.Fatalf("%d server blocks, want 1", len(servers))
	}
	server := servers[0]
	// nginx listens on the port the proxy service publishes.
	var listen []string
	for _, l := range server.find("listen") {
		if len(l.args) > 0 {
			a := l.args[0]
			listen = append(listen, a[strings.LastIndex(a, ":")+1:])
		}
	}
	for _, p := range ports(t, s.services[s.proxy]) {
		if !slices.Contains(listen, p.target) {
			t.Errorf("the proxy publishes container port %s, nginx listens on %v", p.target, listen)
		}
	}

	// proxy_set_header in a location replaces, not extends, the server's:
	// every proxied location must end up with both headers.
	headers := func(d *directive) map[string]string {
		h := map[string]string{}
		for _, p := range d.find("proxy_set_header") {
			if len(p.args) == 2 {
				h[strings.ToLower(p.args[0])] = p.args[1]
			}
		}
		return h
	}
	serverHeaders := headers(server)
	hasRoot := false
	for _, loc := range server.find("location") {
		if len(loc.args) == 1 && loc.args[0] == "/" {
			hasRoot = true
		}
		for _, pp := range loc.find("proxy_pass") {
			if len(pp.args) != 1 || pp.args[0] != "http://"+upstream {
				t.Errorf("location %v: proxy_pass %v, want http://%s", loc.args, pp.args, upstream)
			}
		}
		h := headers(loc)
		if len(h) == 0 {
			h = serverHeaders
		}
		if h["x-request-id"] == "" {
			t.Errorf("location %v does not pass X-Request-ID", loc.args)
		}
		if xff := h["x-forwarded-for"]; xff != "$proxy_add_x_forwarded_for" && xff != "$remote_addr" {
			t.Errorf("location %v: X-Forwarded-For %q, want $proxy_add_x_forwarded_for or $remote_addr", loc.args, xff)
		}
	}
	if !hasRoot {
		t.Error("no `location /`: not every path is balanced")
	}
}

func splitHostPort(addr string) (host, port string, err error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", "", fmt.Errorf("%q is not host:port", addr)
	}
	if _, err := strconv.Atoi(addr[i+1:]); err != nil {
		return "", "", fmt.Errorf("%q: port: %w", addr, err)
	}
	return addr[:i], addr[i+1:], nil
}

// TestParseNginxRejectsBrokenConfigs keeps the little parser above honest.
func TestParseNginxRejectsBrokenConfigs(t *testing.T) {
	for _, src := range []string{
		"http { server { listen 80; }",
		"http { listen 80 }",
		"events { } }",
		`log_format x '{"a":1};`,
	} {
		if _, err := parseNginx(src); err == nil {
			t.Errorf("parseNginx(%q) succeeded, want an error", src)
		}
	}
	root, err := parseNginx("http { # a comment; {\n upstream u { server a:1 max_fails=2; } log_format j '{\"a\":\"$b\"}'; }")
	if err != nil {
		t.Fatal(err)
	}
	if got := root.find("http")[0].find("upstream")[0].find("server")[0].args; !slices.Equal(got, []string{"a:1", "max_fails=2"}) {
		t.Errorf("server args %v", got)
	}
}
