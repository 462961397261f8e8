package config

import (
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yaml.v3's Node.Decode ignores KnownFields, so strictness is checked here,
// against the yaml tags of the raw structs, before decoding.

func reflectType(v any) reflect.Type { return reflect.TypeOf(v) }

func checkKeysType(v *validator, n *yaml.Node, t reflect.Type, source string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // Decode reports the type mismatch
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		if t == reflect.TypeOf(rawSource{}) {
			source = scalar(n, "id")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				v.add(k.Line, source, "unknown key %q (known: %s)", k.Value, knownKeys(fields))
				continue
			}
			checkKeysType(v, val, ft, source)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for _, c := range n.Content {
			checkKeysType(v, c, t.Elem(), source)
		}
	}
}

func knownKeys(fields map[string]reflect.Type) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// valueOf returns the value node of key in mapping m, or nil.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// scalar returns the string value of key in mapping m, or "".
func scalar(m *yaml.Node, key string) string {
	if n := valueOf(m, key); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// lineOf returns the line of key in mapping m, or 0.
func lineOf(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

// itemLine returns the line of the i-th element of the sequence under key.
func itemLine(m *yaml.Node, key string, i int) int {
	seq := valueOf(m, key)
	if seq == nil || seq.Kind != yaml.SequenceNode || i >= len(seq.Content) {
		return lineOf(m, key)
	}
	return seq.Content[i].Line
}

// sourceNode returns the mapping of the i-th source, or nil.
func sourceNode(root *yaml.Node, i int) *yaml.Node {
	seq := valueOf(root, "sources")
	if seq == nil || seq.Kind != yaml.SequenceNode || i >= len(seq.Content) {
		return nil
	}
	return seq.Content[i]
}

// keyLine returns the line of key in mapping m, or def when it is absent.
func keyLine(m *yaml.Node, key string, def int) int {
	if l := lineOf(m, key); l > 0 {
		return l
	}
	return def
}
