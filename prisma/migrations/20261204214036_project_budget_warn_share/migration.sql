-- Per-project budget warning threshold (share of budgetUsd); null keeps BUDGET_WARN_SHARE.
-- (The trigram indexes of board_text_search are hand-written SQL the schema cannot express.)
ALTER TABLE "Project" ADD COLUMN     "budgetWarnShare" DECIMAL(4,3);
