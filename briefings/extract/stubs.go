package extract

func (x *extraction) threats(s *sentence) []*cand     { return nil }
func (x *extraction) others(s *sentence) []*cand      { return nil }
