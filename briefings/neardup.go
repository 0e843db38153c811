package briefings

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"unicode"
	"unicode/utf8"
)

// Near-duplicate detection.
//
// Two copies of one wire story rarely hash alike: one outlet rewrites the
// headline, another appends a paragraph of local context or cuts the last
// one. Such copies are found with MinHash over word shingles:
//
//  1. The text is folded (diacritics removed, lower case, punctuation
//     dropped) and cut into overlapping shingles of ShingleWords words.
//  2. Each shingle is hashed, and MinHashSize independent hash functions
//     (fixed, deterministic seeds) each keep their minimum over all
//     shingles. The fraction of positions at which two signatures agree
//     estimates the Jaccard similarity of the two shingle sets (standard
//     error about 0.04 with 128 positions).
//  3. For candidate lookup the signature is cut into LSHBands bands of
//     MinHashSize/LSHBands rows; two texts that agree on every row of any
//     band share a band key. With 32 bands of 4 rows a pair at similarity
//     0.7 shares a key with probability above 0.999, a pair at 0.3 with
//     probability about 0.23, so a store looks up candidates by band key and
//     confirms each with Similarity.

// ShingleWords is the number of consecutive words in one shingle.
const ShingleWords = 5

// MinHashSize is the number of hash functions, and so of values, in a Signature.
const MinHashSize = 128

// LSHBands is the number of band keys a Signature yields for candidate lookup.
const LSHBands = 32

// lshRows is the number of signature values in one band.
const lshRows = MinHashSize / LSHBands

// NearDuplicateThreshold is the estimated Jaccard similarity of the 5-word
// shingle sets at or above which two texts are near-duplicates.
//
// A copy of an article with a new headline and one added or dropped trailing
// paragraph keeps most of its shingles (an 8-paragraph story that gains a
// 9th scores about 0.85); two independently written reports of the same
// event share names but almost no 5-word runs (they score below 0.1). 0.7
// sits between the two with room for the estimate's error of about 0.04.
const NearDuplicateThreshold = 0.7

// signatureVersion tags the binary form of a Signature so a change of the
// hashing scheme is detected rather than silently compared.
const signatureVersion = 1

// Signature is the MinHash signature of a text. The zero Signature (and the
// signature of a text without words) is empty: it is similar to nothing.
type Signature struct {
	// mins holds the minimum of each hash function over the shingles.
	mins [MinHashSize]uint32
	// shingles is the number of distinct shingle positions seen; 0 means empty.
	shingles int
}

// NewSignature computes the MinHash signature of text. It is deterministic:
// the same text gives the same signature in every process and version of
// this scheme.
func NewSignature(text string) Signature {
	var s Signature
	for i := range s.mins {
		s.mins[i] = math.MaxUint32
	}
	words := wordHashes(text)
	if len(words) == 0 {
		return Signature{}
	}
	var seeds [MinHashSize]uint64
	for i := range seeds {
		seeds[i] = permutationSeed(i)
	}
	add := func(ws []uint64) {
		base := uint64(len(ws))
		for _, w := range ws {
			base = mix64(base*0x100000001b3 ^ w)
		}
		for i := range s.mins {
			v := uint32(mix64(base^seeds[i]) >> 32)
			if v < s.mins[i] {
				s.mins[i] = v
			}
		}
		s.shingles++
	}
	if len(words) < ShingleWords {
		add(words)
		return s
	}
	for i := 0; i+ShingleWords <= len(words); i++ {
		add(words[i : i+ShingleWords])
	}
	return s
}

// IsEmpty reports whether the signature was computed from a text without words.
func (s Signature) IsEmpty() bool { return s.shingles == 0 }

// Similarity estimates the Jaccard similarity of the shingle sets behind a
// and b, from 0 (nothing shared) to 1 (the same set). An empty signature is
// similar to nothing, not even another empty one.
func Similarity(a, b Signature) float64 {
	if a.IsEmpty() || b.IsEmpty() {
		return 0
	}
	same := 0
	for i := range a.mins {
		if a.mins[i] == b.mins[i] {
			same++
		}
	}
	return float64(same) / MinHashSize
}

// IsNearDuplicate reports whether a and b are near-duplicates: their
// Similarity is at least NearDuplicateThreshold.
func IsNearDuplicate(a, b Signature) bool {
	return Similarity(a, b) >= NearDuplicateThreshold
}

// BandKeys returns the LSHBands keys under which a store indexes the
// signature: texts that share any key are near-duplicate candidates, to be
// confirmed with Similarity. Each key names its band, so equal rows in
// different bands do not collide. An empty signature has no keys.
func (s Signature) BandKeys() []string {
	if s.IsEmpty() {
		return nil
	}
	keys := make([]string, 0, LSHBands)
	var buf [lshRows * 4]byte
	for b := range LSHBands {
		for r := range lshRows {
			binary.LittleEndian.PutUint32(buf[r*4:], s.mins[b*lshRows+r])
		}
		h := fnv.New64a()
		_, _ = h.Write(buf[:])
		keys = append(keys, fmt.Sprintf("%02d-%016x", b, h.Sum64()))
	}
	return keys
}

// signatureBytes is the length of a Signature's binary form: a version byte,
// the shingle count as a uint32, and the values.
const signatureBytes = 1 + 4 + MinHashSize*4

// MarshalBinary encodes the signature for storage (517 bytes).
func (s Signature) MarshalBinary() ([]byte, error) {
	out := make([]byte, signatureBytes)
	out[0] = signatureVersion
	n := s.shingles
	if n > math.MaxUint32 {
		n = math.MaxUint32
	}
	binary.LittleEndian.PutUint32(out[1:], uint32(n))
	for i, v := range s.mins {
		binary.LittleEndian.PutUint32(out[5+i*4:], v)
	}
	return out, nil
}

// ErrSignatureFormat is returned by UnmarshalBinary for bytes that are not a
// signature of the current scheme; the caller recomputes it from the text.
var ErrSignatureFormat = errors.New("not a near-duplicate signature of the current version")

// UnmarshalBinary decodes a signature written by MarshalBinary.
func (s *Signature) UnmarshalBinary(data []byte) error {
	if len(data) != signatureBytes || data[0] != signatureVersion {
		return fmt.Errorf("decoding signature of %d bytes: %w", len(data), ErrSignatureFormat)
	}
	var out Signature
	out.shingles = int(binary.LittleEndian.Uint32(data[1:]))
	for i := range out.mins {
		out.mins[i] = binary.LittleEndian.Uint32(data[5+i*4:])
	}
	*s = out
	return nil
}

// wordHashes splits text into words of letters and digits, lower-cased with
// diacritics folded so that re-punctuated or re-typeset copies agree, and
// returns the FNV-1a hash of each word. Apostrophes inside a word are dropped
// ("Niger's" and "Nigers" are one word).
func wordHashes(text string) []uint64 {
	const (
		offset = 0xcbf29ce484222325
		prime  = 0x100000001b3
	)
	var out []uint64
	h, n := uint64(offset), 0
	var buf [utf8.UTFMax]byte
	for _, r := range FoldAccents(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			k := utf8.EncodeRune(buf[:], unicode.ToLower(r))
			for _, c := range buf[:k] {
				h = (h ^ uint64(c)) * prime
			}
			n++
		case r == '\'':
			// Dropped inside a word; between words it separates nothing.
		default:
			if n > 0 {
				out = append(out, h)
			}
			h, n = offset, 0
		}
	}
	if n > 0 {
		out = append(out, h)
	}
	return out
}

// permutationSeed returns the fixed seed of hash function i.
func permutationSeed(i int) uint64 {
	return mix64(uint64(i+1) * 0x9e3779b97f4a7c15)
}

// mix64 is the SplitMix64 finalizer: a fast bijective mixer whose output
// bits each depend on every input bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
