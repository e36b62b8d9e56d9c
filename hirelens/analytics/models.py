# Analytics reads the other apps' tables (denormalised ScorecardRating, FeedbackCase, SurveyResponse);
# it owns no table of its own.
