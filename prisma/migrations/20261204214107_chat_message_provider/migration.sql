-- Who answered each chat reply, and replies a person stopped (issue 10, chats). The provider and
-- model were only on the live chat.message event, so a reloaded conversation could not show its
-- badges; a stopped reply keeps the text that had streamed and says it was cut short.
ALTER TABLE "Message" ADD COLUMN     "fallbackFrom" TEXT,
ADD COLUMN     "model" TEXT,
ADD COLUMN     "provider" TEXT,
ADD COLUMN     "stopped" BOOLEAN NOT NULL DEFAULT false;
